package gotemplate_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// upstream maps this copy's directories to the standard library's.
var upstream = map[string]string{
	"text":       "text/template",
	"text/parse": "text/template/parse",
	"html":       "html/template",
	"fmtsort":    "internal/fmtsort",
}

// changed are the lines of the copy that may differ from the standard
// library's (README.md), per file: whatever else differs is an edit nobody
// listed, or a change Go made since the copy (a security fix to escaping,
// say) that the copy lacks.
var changed = map[string]int{
	"text/exec.go":     2,  // methodByName for MethodByName
	"html/template.go": 2,  // the doc comment's import path
	"html/escape.go":   15, // no GODEBUG settings
}

// importLine matches an import spec line: import paths differ, and gofmt
// orders them differently.
var importLine = regexp.MustCompile(`^\s*([A-Za-z_]+ )?"[^"]+"\s*$`)

// TestCopyMatchesTheStandardLibrary: every file of the copy is the
// standard library's file of the Go that builds it, but for the changes
// README.md lists; every standard file is copied. It fails when Go is
// upgraded and changed these packages: copy them again (README.md).
func TestCopyMatchesTheStandardLibrary(t *testing.T) {
	out, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(strings.TrimSpace(string(out)), "src")
	for dir, std := range upstream {
		ours := goFiles(t, dir)
		theirs := goFiles(t, filepath.Join(root, std))
		if dir == "text" {
			ours = slices.DeleteFunc(ours, func(name string) bool { return name == "methods.go" })
		}
		if !slices.Equal(ours, theirs) {
			t.Errorf("%s has files %v, the standard %s has %v", dir, ours, std, theirs)
			continue
		}
		for _, name := range ours {
			a, b := lines(t, filepath.Join(dir, name)), lines(t, filepath.Join(root, std, name))
			if n := differing(a, b); n != changed[dir+"/"+name] {
				t.Errorf("%s/%s: %d lines differ from %s/%s, want %d (README.md)", dir, name, n, std, name, changed[dir+"/"+name])
			}
		}
	}
}

func goFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if name := e.Name(); strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go") {
			names = append(names, name)
		}
	}
	return names
}

// lines are a file's lines but its import specs.
func lines(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return slices.DeleteFunc(strings.Split(string(data), "\n"), importLine.MatchString)
}

// differing counts the lines of a and b outside their longest common
// subsequence: what a line diff would mark.
func differing(a, b []string) int {
	prev := make([]int, len(b)+1)
	for i := range a {
		cur := make([]int, len(b)+1)
		for j := range b {
			if a[i] == b[j] {
				cur[j+1] = prev[j] + 1
			} else {
				cur[j+1] = max(cur[j], prev[j+1])
			}
		}
		prev = cur
	}
	return len(a) + len(b) - 2*prev[len(b)]
}
