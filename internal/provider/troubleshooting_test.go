package provider

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// TestTroubleshootingCoversEverySummary collects every diagnostic summary
// the provider can emit (the string given to AddError, AddWarning,
// AddAttributeError and AddAttributeWarning, and the summaries
// describeProblem returns for API problems) from its source, and fails when
// the troubleshooting guide has no section for one (a heading, or the bold
// title of a section): a user who searches the
// guide for the title Terraform printed must find it.
func TestTroubleshootingCoversEverySummary(t *testing.T) {
	guide, err := os.ReadFile(filepath.Join("..", "..", "templates", "guides", "troubleshooting.md.tmpl"))
	if err != nil {
		t.Fatal(err)
	}
	var headings []string
	for _, line := range strings.Split(string(guide), "\n") {
		if strings.HasPrefix(line, "#") {
			headings = append(headings, line)
		}
	}
	summaries := providerSummaries(t)
	if len(summaries) < 20 {
		t.Fatalf("found only %d summaries in the source; the scan is broken: %v", len(summaries), summaries)
	}
	for _, s := range summaries {
		// A section names it in its heading, or in bold as the title of
		// what it explains.
		found := strings.Contains(string(guide), "**"+s+"**")
		for _, h := range headings {
			if strings.Contains(h, s) {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("the troubleshooting guide (templates/guides/troubleshooting.md.tmpl) has no section for %q: add a heading or a bold title for it", s)
		}
	}
}

// providerSummaries returns the diagnostic summaries in the package's
// non-test source, resolving constants.
func providerSummaries(t *testing.T) []string {
	t.Helper()
	fset := token.NewFileSet()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var parsed []*ast.File
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		parsed = append(parsed, file)
	}
	// Constants of the package, for summaries given by name.
	consts := map[string]string{}
	for _, f := range parsed {
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.CONST {
				continue
			}
			for _, spec := range g.Specs {
				vs, ok := spec.(*ast.ValueSpec)
				if !ok {
					continue
				}
				for i, name := range vs.Names {
					if i < len(vs.Values) {
						if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
							if v, err := strconv.Unquote(lit.Value); err == nil {
								consts[name.Name] = v
							}
						}
					}
				}
			}
		}
	}
	value := func(e ast.Expr) (string, bool) {
		switch e := e.(type) {
		case *ast.BasicLit:
			if e.Kind == token.STRING {
				v, err := strconv.Unquote(e.Value)
				return v, err == nil
			}
		case *ast.Ident:
			v, ok := consts[e.Name]
			return v, ok
		}
		return "", false
	}
	set := map[string]bool{}
	for _, f := range parsed {
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				sel, ok := n.Fun.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				arg := -1
				switch sel.Sel.Name {
				case "AddError", "AddWarning":
					arg = 0
				case "AddAttributeError", "AddAttributeWarning":
					arg = 1
				}
				if arg >= 0 && len(n.Args) > arg {
					if v, ok := value(n.Args[arg]); ok {
						set[v] = true
					}
				}
			case *ast.FuncDecl:
				// describeProblem returns (summary, detail) pairs.
				if n.Name.Name != "describeProblem" || n.Body == nil {
					return true
				}
				ast.Inspect(n.Body, func(m ast.Node) bool {
					if r, ok := m.(*ast.ReturnStmt); ok && len(r.Results) == 2 {
						if v, ok := value(r.Results[0]); ok {
							set[v] = true
						}
					}
					return true
				})
			}
			return true
		})
	}
	var out []string
	for s := range set {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}
