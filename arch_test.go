package chipgap

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// layer assigns every package of the module its layer (see doc.go). A new
// package must be added here, which makes its place in the DAG a reviewed
// decision.
var layer = map[string]int{
	"units": 0, "input": 0, "examples": 0,
	"hardware": 1, "llm": 1, "strictyaml": 1, "fab": 1, "uncertain": 1, "sim": 1, "plot": 1,
	"parallel": 2, "econ": 2,
	"training": 3, "inference": 3,
	"serve": 4, "goodput": 4,
	"catalog": 5, "runs": 5, "scenario": 5, "report": 5, "sweep": 5, "fileio": 5,
	"calc": 6, "workq": 6,
	"web": 7, "cmd/chipgap": 7, "validation/fit": 7, "validation/goals": 7,
}

// sameLayerAllowed lists imports between packages of one layer that the
// design allows (layer 5 orchestration uses the catalog; sweep writes its
// files through fileio).
var sameLayerAllowed = map[string]bool{
	"runs->catalog": true, "scenario->catalog": true, "scenario->runs": true,
	"report->catalog": true, "report->scenario": true, "report->runs": true,
	"sweep->catalog": true, "sweep->scenario": true, "sweep->fileio": true,
	"cmd/chipgap->web": true,
}

// thirdParty lists the only modules outside the standard library that a
// package may import, and which packages may.
var thirdParty = map[string][]string{
	"go.yaml.in/yaml/v3": {"catalog", "runs", "scenario", "sweep", "strictyaml"},
	// Sweep output a data scientist opens directly (docs/design/003-sweeps.md).
	"github.com/parquet-go/parquet-go": {"sweep"},
	"gonum.org/v1/gonum/":              {"uncertain"},
	// GET /metrics (docs/design/002-hardening.md).
	"github.com/prometheus/client_golang/": {"web"},
	// The terminal's width, so the report fits it (docs/design/000-architecture.md).
	"golang.org/x/sys/unix": {"cmd/chipgap"},
}

func packageImports(t *testing.T) map[string]map[string]bool {
	t.Helper()
	pkgs := map[string]map[string]bool{}
	eachSourceFile(t, parser.ImportsOnly, func(path string, _ *token.FileSet, f *ast.File) {
		dir := filepath.ToSlash(filepath.Dir(path))
		if pkgs[dir] == nil {
			pkgs[dir] = map[string]bool{}
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			pkgs[dir][p] = true
		}
	})
	return pkgs
}

// eachSourceFile parses every non-test Go file of the module (skipping
// testdata and hidden directories) with mode and hands it to fn.
func eachSourceFile(t *testing.T, mode parser.Mode, fn func(path string, fset *token.FileSet, f *ast.File)) {
	t.Helper()
	fset := token.NewFileSet()
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") && path != "." {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, mode)
		if err != nil {
			return err
		}
		fn(path, fset, f)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestLayering(t *testing.T) {
	for dir, imps := range packageImports(t) {
		if dir == "." {
			continue
		}
		from, ok := layer[dir]
		if !ok {
			t.Errorf("package %s has no layer: add it to arch_test.go and doc.go", dir)
			continue
		}
		for imp := range imps {
			checkImport(t, dir, from, imp)
		}
	}
}

func checkImport(t *testing.T, dir string, from int, imp string) {
	t.Helper()
	if rest, ok := strings.CutPrefix(imp, "chipgap/"); ok {
		to, known := layer[rest]
		switch {
		case !known:
			t.Errorf("%s imports %s, which has no layer", dir, imp)
		case to > from:
			t.Errorf("%s (layer %d) imports %s (layer %d): upward", dir, from, rest, to)
		case to == from && !sameLayerAllowed[dir+"->"+rest]:
			t.Errorf("%s imports its sibling %s (both layer %d)", dir, rest, from)
		}
		return
	}
	if !strings.Contains(strings.SplitN(imp, "/", 2)[0], ".") {
		checkStdlib(t, dir, from, imp)
		return
	}
	for mod, users := range thirdParty {
		if imp == mod || strings.HasPrefix(imp, mod) {
			for _, u := range users {
				if u == dir {
					return
				}
			}
			t.Errorf("%s imports %s; only %v may", dir, imp, users)
			return
		}
	}
	t.Errorf("%s imports %s, which is not an allowed dependency (see docs/design/000-architecture.md)", dir, imp)
}

// checkStdlib keeps I/O out of the pure layers.
func checkStdlib(t *testing.T, dir string, from int, imp string) {
	t.Helper()
	if imp == "net/http" && dir != "web" && dir != "cmd/chipgap" {
		t.Errorf("%s imports net/http; only web may", dir)
	}
	if from <= 4 && (imp == "os" || imp == "flag" || imp == "net/http" || imp == "log") {
		t.Errorf("%s (layer %d) imports %s: layers 0-4 do no I/O", dir, from, imp)
	}
}

// fileWriters are the os functions that create, replace or remove a
// file; only fileio calls them (docs/design/000-architecture.md).
var fileWriters = map[string]bool{
	"Create": true, "CreateTemp": true, "OpenFile": true, "WriteFile": true, "Rename": true,
	"Remove": true, "RemoveAll": true, "Chmod": true, "Truncate": true, "Symlink": true, "Link": true,
}

// TestOneFileWriter: every file chipgap writes goes through fileio (output
// paths checked, written through temporary files renamed into place), so
// no other package calls the os functions that write one.
func TestOneFileWriter(t *testing.T) {
	eachSourceFile(t, 0, func(path string, fset *token.FileSet, f *ast.File) {
		if filepath.ToSlash(filepath.Dir(path)) == "fileio" {
			return
		}
		ast.Inspect(f, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok || !fileWriters[sel.Sel.Name] {
				return true
			}
			if id, ok := sel.X.(*ast.Ident); ok && id.Name == "os" {
				t.Errorf("%s: os.%s: write files through chipgap/fileio", fset.Position(sel.Pos()), sel.Sel.Name)
			}
			return true
		})
	})
}

// TestSizeBudgets flags functions over 80 lines, files over 800 lines and
// functions with more than 5 parameters (style-anchors §6.10).
func TestSizeBudgets(t *testing.T) {
	fset := token.NewFileSet()
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") {
			return err
		}
		if strings.Contains(path, "testdata") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if n := strings.Count(string(src), "\n"); n > 800 && !strings.HasSuffix(path, "_test.go") {
			t.Errorf("%s has %d lines (limit 800)", path, n)
		}
		f, err := parser.ParseFile(fset, path, src, 0)
		if err != nil {
			return err
		}
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || strings.HasSuffix(path, "_test.go") {
				continue
			}
			lines := fset.Position(fn.End()).Line - fset.Position(fn.Pos()).Line
			if lines > 80 {
				t.Errorf("%s: func %s has %d lines (limit 80)", path, fn.Name.Name, lines)
			}
			if n := fn.Type.Params.NumFields(); n > 5 {
				t.Errorf("%s: func %s takes %d parameters (limit 5; use an options struct)", path, fn.Name.Name, n)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestNoExportedMutableVars: no package exports a variable other than a
// sentinel error (errors.New), so no caller can change a shared table
// (style-anchors rule 12). A list is a function returning a fresh slice.
func TestNoExportedMutableVars(t *testing.T) {
	eachSourceFile(t, 0, func(_ string, fset *token.FileSet, f *ast.File) {
		for _, decl := range f.Decls {
			if g, ok := decl.(*ast.GenDecl); ok && g.Tok == token.VAR {
				checkVars(t, fset, g)
			}
		}
	})
}

func checkVars(t *testing.T, fset *token.FileSet, g *ast.GenDecl) {
	t.Helper()
	for _, spec := range g.Specs {
		vs := spec.(*ast.ValueSpec)
		for i, n := range vs.Names {
			if !n.IsExported() || (i < len(vs.Values) && isErrorsNew(vs.Values[i])) {
				continue
			}
			t.Errorf("%s: exported var %s: make it a function or unexported (only sentinel errors may be exported vars)", fset.Position(n.Pos()), n.Name)
		}
	}
}

func isErrorsNew(e ast.Expr) bool {
	call, ok := e.(*ast.CallExpr)
	if !ok {
		return false
	}
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	pkg, ok := sel.X.(*ast.Ident)
	return ok && pkg.Name == "errors" && sel.Sel.Name == "New"
}
