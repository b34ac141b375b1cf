package i18n

import (
	"regexp"
	"strings"
	"testing"
)

func TestToCyrillic(t *testing.T) {
	tests := map[string]string{
		"Ljubljana i Njegoš":    "Љубљана и Његош",
		"LJUBAV, NJIVA, DŽEP":   "ЉУБАВ, ЊИВА, ЏЕП",
		"džep, Džaja, Đorđe":    "џеп, Џаја, Ђорђе",
		"čaša ćup šuma žaba":    "чаша ћуп шума жаба",
		"porudžbina, mišljenje": "поруџбина, мишљење",
		// fmt verbs and what is not a Serbian letter stay as written.
		"%[1]s, %[2]d. %[3]s (%[5]s) 100%%": "%[1]s, %[2]d. %[3]s (%[5]s) 100%%",
		"Rok: %s.":                          "Рок: %s.",
		"„Pošalji“ – 2000 znakova?":         "„Пошаљи“ – 2000 знакова?",
	}
	for latin, want := range tests {
		if got := toCyrillic(latin); got != want {
			t.Errorf("toCyrillic(%q) = %q, want %q", latin, got, want)
		}
	}
	if got := cyrillic("points.forms", "one=bod|few=boda|other=bodova"); got != "one=бод|few=бода|other=бодова" {
		t.Errorf("forms in Cyrillic: %q", got)
	}
}

// verbPattern matches the fmt verbs a text may keep in Latin letters.
var verbPattern = regexp.MustCompile(`%(\[\d+\])?[a-zA-Z%]`)

// TestSerbianCyrillicIsTheLatinText: the Cyrillic catalog is the Latin
// one, letter for letter, with no Latin letter left outside fmt verbs and
// plural categories.
func TestSerbianCyrillicIsTheLatinText(t *testing.T) {
	latin, cyr := texts()["sr-Latn"], texts()["sr-Cyrl"]
	if len(latin) != len(cyr) || len(latin) < 90 {
		t.Fatalf("%d Latin texts, %d Cyrillic", len(latin), len(cyr))
	}
	for key, text := range latin {
		if cyr[key] != cyrillic(key, text) {
			t.Errorf("sr-Cyrl %q = %q, not the Latin %q", key, cyr[key], text)
		}
		left := verbPattern.ReplaceAllString(cyr[key], "")
		if strings.HasSuffix(key, ".forms") {
			left = regexp.MustCompile(`(^|\|)[a-z]+=`).ReplaceAllString(left, "|")
		}
		if i := strings.IndexFunc(left, func(r rune) bool {
			return r < 0x250 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r > 0x7f && r != 0xa0)
		}); i >= 0 {
			t.Errorf("sr-Cyrl %q keeps Latin letters: %q", key, left[i:])
		}
	}
}

// TestSerbianAvoidsSplitDigraphs: in a few words lj, nj or dž are two
// letters (nadživeti, konjunkcija, injekcija); letter-for-letter writing
// would make them one, so the catalog must not use them.
func TestSerbianAvoidsSplitDigraphs(t *testing.T) {
	split := regexp.MustCompile(`(?i)\b(nadž|podž|odž|predž|injek|konjunk|vanjez|tanjug)`)
	for key, text := range texts()["sr-Latn"] {
		if m := split.FindString(text); m != "" {
			t.Errorf("sr-Latn %q holds %q, whose digraph Cyrillic would join", key, m)
		}
	}
}

// TestFrenchSpacing: French puts a no-break space before ? ! : ; and
// inside « », so a line never breaks before the mark.
func TestFrenchSpacing(t *testing.T) {
	bad := regexp.MustCompile(`[^\x{a0}][?!:;»]|«[^\x{a0}]`)
	for key, text := range texts()["fr"] {
		for _, m := range bad.FindAllString(text, -1) {
			// A colon inside a fmt verb or a URL is not French punctuation.
			if m[0] == ']' {
				continue
			}
			t.Errorf("fr %q: %q lacks its no-break space: %q", key, m, text)
		}
	}
}
