package awsapi

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// TestDomainHasNoWireShapes: the wire shapes live in awsapi. No exported
// type of the domain packages has a json-tagged field (in nested structs
// neither); a JSON form the domain itself defines (the template checksum's
// canonical document) is unexported. See CONTRIBUTING.md.
func TestDomainHasNoWireShapes(t *testing.T) {
	for _, dir := range []string{"../connect", "../template"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil || len(files) == 0 {
			t.Fatalf("%s: no Go files (%v)", dir, err)
		}
		fset := token.NewFileSet()
		for _, name := range files {
			if strings.HasSuffix(name, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range f.Decls {
				gd, ok := d.(*ast.GenDecl)
				if !ok || gd.Tok != token.TYPE {
					continue
				}
				for _, sp := range gd.Specs {
					ts := sp.(*ast.TypeSpec)
					if !ts.Name.IsExported() {
						continue
					}
					ast.Inspect(ts.Type, func(n ast.Node) bool {
						fl, ok := n.(*ast.Field)
						if !ok || fl.Tag == nil {
							return true
						}
						tag, _ := strconv.Unquote(fl.Tag.Value)
						if _, ok := reflect.StructTag(tag).Lookup("json"); ok {
							t.Errorf("%s: the exported type %s has a json-tagged field (%s); wire shapes belong in awsapi, stored forms in storedoc",
								fset.Position(fl.Pos()), ts.Name.Name, fl.Tag.Value)
						}
						return true
					})
				}
			}
		}
	}
}
