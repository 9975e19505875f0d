package appliance_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// The rules of who imports whom, which keep each feature its own folder and
// one line in the root's list (see DESIGN.md and package feature):
//
//   - a feature never imports another feature: what features share lives
//     below them (the register through feature.Register, the control socket
//     through feature.Control…);
//   - the layers below the features never import a feature, nor the root;
//   - the command line imports the root, never a feature: a feature's
//     command comes through its contract (feature.Command).
//
// The packages under appliance/ that are not features are listed here;
// every other one is a feature, named by its first folder under appliance/
// (a later mail/imapd is part of the feature mail). Only the packages'
// own files count: a feature's tests may start a whole appliance and use
// any feature to set it up.
const module = "preau"

// lowerLayers are below the features: a feature may import them.
var lowerLayers = []string{"i18n", "apperr", "text", "config", "store", "auth", "notify", "web", "feature"}

// notFeatures are the packages under appliance/ that are no feature: the
// layers below them, the root that wires them ("", the appliance package),
// the command line, the OS service, and what tests and benchmarks build on.
var notFeatures = append(slices.Clip(lowerLayers), "", "cli", "service", "apptest", "browser", "loadtest")

// importViolations lists the rules broken by imports, a map from each
// package of the module to the packages of the module it imports.
func importViolations(imports map[string][]string) []string {
	var out []string
	for pkg, deps := range imports {
		area, feat, ok := placeOf(pkg)
		if !ok {
			continue // main, ui, assets: outside appliance/
		}
		for _, dep := range deps {
			depArea, depFeat, ok := placeOf(dep)
			if !ok || dep == pkg {
				continue
			}
			switch {
			case feat != "" && depFeat != "" && depFeat != feat:
				out = append(out, "the feature "+feat+" imports the feature "+depFeat+" ("+pkg+" → "+dep+")")
			case feat != "" && depArea == "":
				out = append(out, "the feature "+feat+" imports the root ("+pkg+" → "+dep+")")
			case slices.Contains(lowerLayers, area) && (depFeat != "" || depArea == "" || depArea == "cli"):
				out = append(out, "the layer "+area+" imports "+dep+", above it ("+pkg+")")
			case area == "cli" && depFeat != "":
				out = append(out, "cli imports the feature "+depFeat+" rather than the root ("+pkg+" → "+dep+")")
			}
		}
	}
	slices.Sort(out)
	return out
}

// placeOf says where a package of the module stands: its first folder under
// appliance/ ("" for the root), and that folder again when it is a feature.
func placeOf(pkg string) (area, feature string, ok bool) {
	rest, ok := strings.CutPrefix(pkg, module+"/appliance")
	if !ok || rest != "" && !strings.HasPrefix(rest, "/") {
		return "", "", false
	}
	area, _, _ = strings.Cut(strings.TrimPrefix(rest, "/"), "/")
	if slices.Contains(notFeatures, area) {
		return area, "", true
	}
	return area, area, true
}

// moduleImports runs go list on the module and returns each package's
// imports within it, test files left out.
func moduleImports(t *testing.T) map[string][]string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		goTool = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	cmd := exec.Command(goTool, "list", "-json", module+"/...")
	cmd.Dir = ".."
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	imports := map[string][]string{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p struct {
			ImportPath string
			Imports    []string
		}
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		for _, dep := range p.Imports {
			if dep == module || strings.HasPrefix(dep, module+"/") {
				imports[p.ImportPath] = append(imports[p.ImportPath], dep)
			}
		}
		if _, ok := imports[p.ImportPath]; !ok {
			imports[p.ImportPath] = nil
		}
	}
	return imports
}

func TestImportRules(t *testing.T) {
	imports := moduleImports(t)
	if _, ok := imports[module+"/appliance/roster"]; !ok || len(imports) < 15 {
		t.Fatalf("go list found %d packages, not the module's", len(imports))
	}
	if v := importViolations(imports); len(v) > 0 {
		t.Errorf("imports break the rules:\n  %s", strings.Join(v, "\n  "))
	}
}

// The rules catch what they forbid.
func TestImportRulesCatch(t *testing.T) {
	a := func(p string) string { return module + "/appliance" + p }
	for _, tc := range []struct {
		pkg, dep string
		want     string
	}{
		{a("/signin"), a("/roster"), "the feature signin imports the feature roster"},
		{a("/mail/imapd"), a("/forum"), "the feature mail imports the feature forum"},
		{a("/roster"), a(""), "the feature roster imports the root"},
		{a("/web"), a("/roster"), "the layer web imports"},
		{a("/auth"), a("/sync"), "the layer auth imports"},
		{a("/store"), a(""), "the layer store imports"},
		{a("/config"), a("/cli"), "the layer config imports"},
		{a("/cli"), a("/roster"), "cli imports the feature roster rather than the root"},
	} {
		v := importViolations(map[string][]string{tc.pkg: {tc.dep}})
		if len(v) != 1 || !strings.HasPrefix(v[0], tc.want) {
			t.Errorf("%s → %s: %q, want %q", tc.pkg, tc.dep, v, tc.want)
		}
	}
	for _, ok := range [][2]string{
		{a("/mail/imapd"), a("/mail")}, {a("/roster"), a("/feature")}, {a("/cli"), a("")}, {a(""), a("/roster")},
		{a("/loadtest"), a("/sync")}, {module, a("/cli")}, {a("/sync"), a("/web")},
	} {
		if v := importViolations(map[string][]string{ok[0]: {ok[1]}}); len(v) > 0 {
			t.Errorf("%s → %s refused: %q", ok[0], ok[1], v)
		}
	}
}

// go.mod says exactly what the code needs: go mod tidy changes nothing (a
// direct dependency marked direct, no module the code does not use). Offline:
// a module missing from the cache skips the test rather than fetch it.
func TestModTidy(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		goTool = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	cmd := exec.Command(goTool, "mod", "tidy", "-diff")
	cmd.Dir = ".."
	cmd.Env = append(cmd.Environ(), "GOPROXY=off", "GOFLAGS=-mod=mod")
	out, err := cmd.CombinedOutput()
	if err != nil && strings.Contains(string(out), "GOPROXY=off") {
		t.Skipf("a module is missing from the cache: %s", out)
	}
	if err != nil {
		t.Errorf("go mod tidy would change go.mod or go.sum (%v):\n%s", err, out)
	}
}
