package render

import (
	"regexp"
	"strings"
	"testing"
)

var (
	styleBlock = regexp.MustCompile(`(?s)<style>(.*?)</style>`)
	classTag   = regexp.MustCompile(`<[a-z]+ [^>]*class="[^"]*"[^>]*>`)
	imgTag     = regexp.MustCompile(`<img [^>]*>`)
	imgAlt     = regexp.MustCompile(` alt="[^"]+"`)
	preheader  = regexp.MustCompile(`<body[^>]*>\s*<div style="display:none;[^"]*">([^<]*)</div>`)
	cssComment = regexp.MustCompile(`(?s)/\*.*?\*/`)
	mediaDark  = regexp.MustCompile(`(?s)@media \(prefers-color-scheme: dark\) \{(?:\s*[^{}]+\{[^{}]*\})*\s*\}`)
	cssRule    = regexp.MustCompile(`(?s)\s*([^{}]+?)\s*\{[^{}]*\}`)
)

// darkPaletteOnly reports whether a style block holds only the dark
// palette: the color-scheme of :root, the prefers-color-scheme block, and
// Outlook.com's dark-mode selectors ([data-ogsc], [data-ogsb]).
func darkPaletteOnly(css string) bool {
	css = cssComment.ReplaceAllString(css, "")
	if !mediaDark.MatchString(css) {
		return false
	}
	rest := mediaDark.ReplaceAllString(css, "")
	for _, m := range cssRule.FindAllStringSubmatch(rest, -1) {
		if m[1] != ":root" && !strings.HasPrefix(m[1], "[data-ogsc] ") && !strings.HasPrefix(m[1], "[data-ogsb] ") {
			return false
		}
	}
	return strings.TrimSpace(cssRule.ReplaceAllString(rest, "")) == ""
}

// checkMailSafe checks that an HTML part is built for mail clients:
// nothing fetched or run, every style inline, the one <style> in the head
// only the dark palette (progressive enhancement: a client that drops it
// shows the light one, complete), and at most 600 pixels wide.
func checkMailSafe(t *testing.T, html string) {
	t.Helper()
	lower := strings.ToLower(html)
	for _, bad := range []string{"<script", "<link", "<iframe", "<form", "<object", "<embed"} {
		if strings.Contains(lower, bad) {
			t.Errorf("HTML part holds %q", bad)
		}
	}
	styles := styleBlock.FindAllStringSubmatch(html, -1)
	head, _, _ := strings.Cut(html, "</head>")
	switch {
	case len(styles) != 1 || !strings.Contains(head, "<style>"):
		t.Errorf("HTML part has %d <style> blocks, want the one in its head", len(styles))
	case !darkPaletteOnly(styles[0][1]):
		t.Errorf("the <style> block holds more than the dark palette:\n%s", styles[0][1])
	}
	for _, tag := range classTag.FindAllString(html, -1) {
		if !strings.Contains(tag, ` style="`) {
			t.Errorf("%s has a class but no inline style: it must look right without the <style> block", tag)
		}
	}
	// Images are optional: each says what it shows when it is not loaded.
	for _, img := range imgTag.FindAllString(html, -1) {
		if !imgAlt.MatchString(img) {
			t.Errorf("%s has no alt text", img)
		}
	}
	if m := preheader.FindStringSubmatch(html); m == nil || strings.TrimSpace(m[1]) == "" {
		t.Errorf("HTML part lacks its hidden preheader")
	}
	for _, want := range []string{`<meta name="color-scheme" content="light dark">`, `<meta name="supported-color-schemes" content="light dark">`, "max-width:600px"} {
		if !strings.Contains(html, want) {
			t.Errorf("HTML part lacks %s", want)
		}
	}
}
