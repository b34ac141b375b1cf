package dashboard

import (
	"regexp"
	"strings"
	"sync"

	"github.com/closeloop/closeloop/internal/i18n"
)

// The shared validation (settings.Service, apikeys) names problems in
// English, as the store API answers them. The owners' pages show them in
// the viewer's language through the app.owner.p.* texts, whose English is
// matched as a pattern (%s: any part).

// problemPattern is one English problem text as a pattern.
type problemPattern struct {
	key string
	re  *regexp.Regexp
}

var (
	problemOnce     sync.Once
	problemPatterns []problemPattern
)

func loadProblemPatterns() {
	en := i18n.For(i18n.Fallback)
	for _, key := range i18n.Keys(i18n.Fallback) {
		if !strings.HasPrefix(key, "app.owner.p.") {
			continue
		}
		parts := strings.Split(en.Get(key), "%s")
		for i := range parts {
			parts[i] = regexp.QuoteMeta(parts[i])
		}
		// Parts are taken as short as they can be: a list's problem
		// splits at its first ": ", the address coming last.
		re := regexp.MustCompile("^" + strings.Join(parts, "(.+?)") + "$")
		problemPatterns = append(problemPatterns, problemPattern{key: key, re: re})
	}
}

// problemText is a problem of the shared validation in t's language; one
// it has no text for stays as it is.
func problemText(t i18n.Text, problem string) string {
	if t.Lang == i18n.Fallback || problem == "" {
		return problem
	}
	problemOnce.Do(loadProblemPatterns)
	for _, p := range problemPatterns {
		m := p.re.FindStringSubmatch(problem)
		if m == nil {
			continue
		}
		args := make([]any, len(m)-1)
		for i, part := range m[1:] {
			args[i] = problemText(t, part)
		}
		return t.Get(p.key, args...)
	}
	return problem
}
