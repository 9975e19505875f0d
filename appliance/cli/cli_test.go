package cli

import (
	"bytes"
	"flag"
	"os"
	"reflect"
	"strings"
	"testing"
)

// run runs one command as the binary would, with stdin as its input.
func run(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	var out, errs bytes.Buffer
	e := &env{stdout: &out, stderr: &errs, stdin: strings.NewReader(stdin)}
	c, ok := commands()[args[0]]
	if !ok {
		t.Fatalf("no command %q", args[0])
	}
	err := c.run(e, args[1:])
	if testing.Verbose() && errs.Len() > 0 {
		t.Logf("stderr of %v:\n%s", args, errs.String())
	}
	return out.String(), err
}

func TestParseArgsAcceptsFlagsAnywhere(t *testing.T) {
	for _, tc := range []struct {
		args []string
		pos  []string
		gen  bool
	}{
		{[]string{"marie", "--generate"}, []string{"marie"}, true},
		{[]string{"--generate", "marie"}, []string{"marie"}, true},
		{[]string{"a", "b"}, []string{"a", "b"}, false},
		{[]string{"--", "--generate"}, []string{"--generate"}, false},
		{[]string{"a", "--", "-x", "b"}, []string{"a", "-x", "b"}, false},
		{nil, nil, false},
	} {
		fs := flag.NewFlagSet("test", flag.ContinueOnError)
		gen := fs.Bool("generate", false, "")
		pos, err := parseArgs(fs, tc.args)
		if err != nil || !reflect.DeepEqual(pos, tc.pos) || *gen != tc.gen {
			t.Errorf("parseArgs(%q) = %q, generate %v, %v; want %q, %v", tc.args, pos, *gen, err, tc.pos, tc.gen)
		}
	}
}

func TestUsageListsOperationalCommands(t *testing.T) {
	var out bytes.Buffer
	if code := Main(nil, &out, &out); code != 0 {
		t.Fatalf("exit code %d", code)
	}
	for _, c := range []string{"init", "user", "backup", "restore", "service", "sync"} {
		if !strings.Contains(out.String(), "  "+c+" ") {
			t.Errorf("usage lacks %q:\n%s", c, out.String())
		}
	}
}

// The command line speaks the terminal's locale: English with LANG, Arabic
// with LC_ALL (which outranks LANG), French by default; a configuration
// refusal is said in it too.
func TestTerminalLanguage(t *testing.T) {
	for _, c := range []struct{ lcAll, lang, usage, refusal string }{
		{"", "en_GB.UTF-8", "Usage: preau <command> [options]", "unknown key"},
		{"ar_MA.UTF-8", "en_GB.UTF-8", "الاستعمال: preau <أمر> [خيارات]", "مفتاح غير معروف"},
		{"", "C.UTF-8", "Usage : preau <commande> [options]", "clé inconnue"},
	} {
		t.Setenv("LC_ALL", c.lcAll)
		t.Setenv("LANG", c.lang)
		var out bytes.Buffer
		Main(nil, &out, &out)
		if !strings.Contains(out.String(), c.usage) {
			t.Errorf("LC_ALL=%q LANG=%q: usage %q", c.lcAll, c.lang, strings.SplitN(out.String(), "\n", 2)[0])
		}
		file := t.TempDir() + "/config.yaml"
		if err := os.WriteFile(file, []byte("colour: blue\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		var errs bytes.Buffer
		if code := Main([]string{"backup", "--config", file, "-"}, &errs, &errs); code == 0 || !strings.Contains(errs.String(), c.refusal) {
			t.Errorf("LC_ALL=%q LANG=%q: refusal %q", c.lcAll, c.lang, errs.String())
		}
	}
}
