package sqlstore_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestStoresDoNotWord fails when the shared SQL or an engine builds a
// fault error with a message: the stores return bare kinds (the sentinels
// their consumers declare) and the services word them.
func TestStoresDoNotWord(t *testing.T) {
	fset := token.NewFileSet()
	for _, dir := range []string{".", "../sqlite", "../postgres"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range files {
			if strings.HasSuffix(name, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, name, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(f, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.CallExpr:
					sel, ok := n.Fun.(*ast.SelectorExpr)
					if !ok || !isFault(sel.X) {
						return true
					}
					arg := map[string]int{"New": 1, "NotFoundf": 1, "Wrap": 1, "Word": 2}
					if i, ok := arg[sel.Sel.Name]; ok && len(n.Args) > i && !emptyString(n.Args[i]) {
						t.Errorf("%s: fault.%s with a message; return a bare error for the service to word", fset.Position(n.Pos()), sel.Sel.Name)
					}
				case *ast.CompositeLit:
					sel, ok := n.Type.(*ast.SelectorExpr)
					if !ok || !isFault(sel.X) || sel.Sel.Name != "Error" {
						return true
					}
					for _, e := range n.Elts {
						if kv, ok := e.(*ast.KeyValueExpr); ok && ident(kv.Key) == "Message" && !emptyString(kv.Value) {
							t.Errorf("%s: fault.Error with a Message; return a bare error for the service to word", fset.Position(n.Pos()))
						}
					}
				}
				return true
			})
		}
	}
}

func isFault(x ast.Expr) bool { return ident(x) == "fault" }

func ident(x ast.Expr) string {
	if id, ok := x.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}

func emptyString(x ast.Expr) bool {
	lit, ok := x.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return false
	}
	s, err := strconv.Unquote(lit.Value)
	return err == nil && s == ""
}
