package awsapi

import (
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io/fs"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
)

// maxStoreMethods is the most methods a store interface may have (issue 14;
// CONTRIBUTING.md, "Adding a stored aggregate").
const maxStoreMethods = 15

const module = "github.com/connectmail/connectmail"

// TestStoreInterfacesAreSmall: no interface type of the repository's
// non-test code whose name ends in Store or Queue has more than
// maxStoreMethods methods, embedded interfaces' included. A consumer that
// needs many stores takes a struct of the small interfaces
// (connect.Stores, template.Stores).
func TestStoreInterfacesAreSmall(t *testing.T) {
	sizes, err := storeInterfaceSizes(os.DirFS(".."))
	if err != nil {
		t.Fatal(err)
	}
	if len(sizes) < 10 {
		t.Fatalf("found only %d store interfaces (%v): is the walk broken?", len(sizes), sizes)
	}
	for name, n := range sizes {
		if n > maxStoreMethods {
			t.Errorf("%s has %d methods, more than %d: split it by aggregate", name, n, maxStoreMethods)
		}
	}
}

// TestStoreInterfaceSizes checks the count on a small tree: own methods,
// embedded interfaces of the same and another package of the module and of
// the standard library, a method embedded twice counted once; interfaces of
// other names and test files are not counted.
func TestStoreInterfaceSizes(t *testing.T) {
	tree := fstest.MapFS{
		"a/a.go": {Data: []byte(`package a
import "io"
type OneStore interface { A(); B() }
type TwoStore interface { OneStore; C(); io.Closer }
type Other interface { X() }`)},
		"b/b.go": {Data: []byte(`package b
import (
	"github.com/connectmail/connectmail/a"
	aa "github.com/connectmail/connectmail/a"
)
type BigQueue interface { a.TwoStore; aa.OneStore; D(); E(); F() }`)},
		"b/b_test.go": {Data: []byte(`package b
type TestStore interface { A() }`)},
	}
	got, err := storeInterfaceSizes(tree)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"a.OneStore": 2, "a.TwoStore": 4, "b.BigQueue": 7}
	if len(got) != len(want) {
		t.Fatalf("sizes = %v, want %v", got, want)
	}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("%s: %d methods, want %d", k, got[k], n)
		}
	}
}

// ifaceDecl is an interface type declared in the module, with the imports
// of its file.
type ifaceDecl struct {
	pkg     string // import path
	imports map[string]string
	typ     *ast.InterfaceType
}

// storeInterfaceSizes returns the method counts of the interface types
// named *Store or *Queue in the non-test Go files of tree (the module's
// root), keyed "pkgdir.Name".
func storeInterfaceSizes(tree fs.FS) (map[string]int, error) {
	fset := token.NewFileSet()
	decls := map[string]*ifaceDecl{} // "importpath.Name"
	err := fs.WalkDir(tree, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if b := d.Name(); p != "." && (strings.HasPrefix(b, ".") || b == "testdata" || b == "node_modules" || b == "vendor") {
				return fs.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		src, err := fs.ReadFile(tree, p)
		if err != nil {
			return err
		}
		f, err := parser.ParseFile(fset, p, src, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		pkg := module
		if dir := path.Dir(p); dir != "." {
			pkg += "/" + dir
		}
		imports := map[string]string{}
		for _, im := range f.Imports {
			ip, _ := strconv.Unquote(im.Path.Value)
			name := path.Base(ip)
			if im.Name != nil {
				name = im.Name.Name
			}
			imports[name] = ip
		}
		for _, dcl := range f.Decls {
			gd, ok := dcl.(*ast.GenDecl)
			if !ok || gd.Tok != token.TYPE {
				continue
			}
			for _, sp := range gd.Specs {
				ts := sp.(*ast.TypeSpec)
				if it, ok := ts.Type.(*ast.InterfaceType); ok {
					decls[pkg+"."+ts.Name.Name] = &ifaceDecl{pkg: pkg, imports: imports, typ: it}
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	std := importer.ForCompiler(fset, "source", nil)
	var methods func(key string, seen map[string]bool) (map[string]bool, error)
	methods = func(key string, seen map[string]bool) (map[string]bool, error) {
		out := map[string]bool{}
		d := decls[key]
		if d == nil {
			// Outside the module: ask the type checker.
			i := strings.LastIndex(key, ".")
			p, err := std.Import(key[:i])
			if err != nil {
				return nil, err
			}
			if obj := p.Scope().Lookup(key[i+1:]); obj != nil {
				if it, ok := obj.Type().Underlying().(*types.Interface); ok {
					for j := range it.NumMethods() {
						out[it.Method(j).Name()] = true
					}
				}
			}
			return out, nil
		}
		if seen[key] {
			return out, nil
		}
		seen[key] = true
		for _, fl := range d.typ.Methods.List {
			var embedded string
			switch x := fl.Type.(type) {
			case *ast.FuncType:
				for _, n := range fl.Names {
					out[n.Name] = true
				}
				continue
			case *ast.Ident:
				embedded = d.pkg + "." + x.Name
			case *ast.SelectorExpr:
				if id, ok := x.X.(*ast.Ident); ok {
					embedded = d.imports[id.Name] + "." + x.Sel.Name
				}
			}
			if embedded == "" || decls[embedded] == nil && strings.HasPrefix(embedded, module) {
				continue // a type constraint or an unknown name: no methods
			}
			more, err := methods(embedded, seen)
			if err != nil {
				return nil, err
			}
			for m := range more {
				out[m] = true
			}
		}
		return out, nil
	}
	sizes := map[string]int{}
	keys := make([]string, 0, len(decls))
	for k := range decls {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		name := k[strings.LastIndex(k, ".")+1:]
		if !strings.HasSuffix(name, "Store") && !strings.HasSuffix(name, "Queue") {
			continue
		}
		ms, err := methods(k, map[string]bool{})
		if err != nil {
			return nil, err
		}
		short := strings.TrimPrefix(strings.TrimPrefix(k, module), "/")
		sizes[short] = len(ms)
	}
	return sizes, nil
}
