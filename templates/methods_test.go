package templates

import (
	"io/fs"
	"slices"
	"strings"
	"testing"

	template "github.com/closeloop/closeloop/internal/gotemplate/text"
	"github.com/closeloop/closeloop/internal/gotemplate/text/parse"
)

// TestMethodNamesCoverTheTemplates: the template engine calls a method of
// the data only by a name in template.MethodNames (that list lets the
// linker drop every other exported method of every type; see
// internal/gotemplate), so each name a template reads as a field or method
// must be in it.
func TestMethodNamesCoverTheTemplates(t *testing.T) {
	used := map[string]bool{}
	for _, fsys := range []fs.FS{FS, App} {
		err := fs.WalkDir(fsys, ".", func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !(strings.HasSuffix(path, ".html") || strings.HasSuffix(path, ".txt")) {
				return err
			}
			b, err := fs.ReadFile(fsys, path)
			if err != nil {
				return err
			}
			tree := parse.New(path)
			tree.Mode = parse.SkipFuncCheck | parse.ParseComments
			trees := map[string]*parse.Tree{}
			if _, err := tree.Parse(string(b), "{{", "}}", trees); err != nil {
				t.Errorf("%s: %v", path, err)
				return nil
			}
			for _, tr := range trees {
				identifiers(tr.Root, used)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(used) < 10 {
		t.Fatalf("only %d names found in the templates: %v", len(used), used)
	}
	var missing []string
	for name := range used {
		if name[0] >= 'A' && name[0] <= 'Z' && !slices.Contains(template.MethodNames, name) {
			missing = append(missing, name)
		}
	}
	slices.Sort(missing)
	if len(missing) > 0 {
		t.Errorf("names the templates use that template.MethodNames (internal/gotemplate/text/methods.go) lacks: %q", missing)
	}
}

// identifiers adds every name node reads as a field or method to used.
func identifiers(node parse.Node, used map[string]bool) {
	switch n := node.(type) {
	case *parse.ListNode:
		if n != nil {
			for _, c := range n.Nodes {
				identifiers(c, used)
			}
		}
	case *parse.ActionNode:
		identifiers(n.Pipe, used)
	case *parse.PipeNode:
		if n != nil {
			for _, c := range n.Cmds {
				identifiers(c, used)
			}
		}
	case *parse.CommandNode:
		for _, a := range n.Args {
			identifiers(a, used)
		}
	case *parse.FieldNode:
		for _, id := range n.Ident {
			used[id] = true
		}
	case *parse.ChainNode:
		identifiers(n.Node, used)
		for _, id := range n.Field {
			used[id] = true
		}
	case *parse.VariableNode:
		for _, id := range n.Ident[1:] {
			used[id] = true
		}
	case *parse.IfNode:
		identifiers(&n.BranchNode, used)
	case *parse.RangeNode:
		identifiers(&n.BranchNode, used)
	case *parse.WithNode:
		identifiers(&n.BranchNode, used)
	case *parse.BranchNode:
		identifiers(n.Pipe, used)
		identifiers(n.List, used)
		identifiers(n.ElseList, used)
	case *parse.TemplateNode:
		identifiers(n.Pipe, used)
	}
}
