package roster

import (
	"errors"
	"reflect"
	"testing"
	"unicode/utf8"

	"preau/appliance/text"
)

// FuzzImportCSV: whatever file a director sends, reading it either
// refuses the whole file with a FileError (said in their language), or
// gives rows the confirm step reads back the same from the text it is
// sent (Sheet.Text), and a plan whose every line is counted once and
// which can be confirmed only when no line has a problem. Seeds under
// testdata/fuzz/FuzzImportCSV: spreadsheet exports in their encodings
// and separators, and broken files.
func FuzzImportCSV(f *testing.F) {
	ex := fixture()
	f.Fuzz(func(t *testing.T, data []byte) {
		sheet, err := ParseCSV(data)
		if err != nil {
			var fe *FileError
			if !errors.As(err, &fe) || fe.Msg.Key == "" {
				t.Fatalf("refused with %T %v, want a FileError saying what to do", err, err)
			}
			return
		}
		checkSheet(t, sheet)
		again, err := ParseCSV([]byte(sheet.Text))
		if err != nil {
			t.Fatalf("the text sent back to confirm is refused: %v\n%q", err, sheet.Text)
		}
		if !reflect.DeepEqual(again, sheet) {
			t.Fatalf("the text sent back to confirm reads differently:\nfirst %+v\nagain %+v", sheet, again)
		}
		checkPlan(t, sheet, MakePlan(sheet, ex))
	})
}

func checkSheet(t *testing.T, sheet Sheet) {
	t.Helper()
	if !utf8.ValidString(sheet.Text) {
		t.Errorf("decoded text is not UTF-8: %q", sheet.Text)
	}
	if len(sheet.Rows) == 0 || len(sheet.Rows) > MaxImportLines {
		t.Fatalf("%d rows accepted, want 1 to %d", len(sheet.Rows), MaxImportLines)
	}
	last := 1
	for _, r := range sheet.Rows {
		if r.Line <= last {
			t.Errorf("row line %d after line %d", r.Line, last)
		}
		last = r.Line
		if r.Problem.Key != "" {
			continue
		}
		// A line read without problem holds only typed text, each cell
		// within its field's length.
		for _, cell := range []string{r.First, r.Last, r.Email, r.Login} {
			if _, err := text.Line("cell", cell, maxListCell); err != nil {
				t.Errorf("line %d kept a refused cell %q: %v", r.Line, cell, err)
			}
		}
	}
}

func checkPlan(t *testing.T, sheet Sheet, p Plan) {
	t.Helper()
	if len(p.Lines) != len(sheet.Rows) {
		t.Fatalf("plan of %d lines for %d rows", len(p.Lines), len(sheet.Rows))
	}
	if p.Create+p.Present+p.Update+p.Invalid != len(p.Lines) {
		t.Errorf("counts %d+%d+%d+%d for %d lines", p.Create, p.Present, p.Update, p.Invalid, len(p.Lines))
	}
	if p.OK() != (p.Invalid == 0) {
		t.Error("OK disagrees with the count of invalid lines")
	}
	for i, l := range p.Lines {
		if l.Problem.Key != "" && l.Outcome != Invalid {
			t.Errorf("line %d has a problem (%s) yet outcome %d", l.Line, l.Problem.Key, l.Outcome)
		}
		if l.Outcome == Invalid && l.Message.Key == "" {
			t.Errorf("line %d refused without saying why", l.Line)
		}
		if l.Outcome != Create {
			continue
		}
		if l.Profile == "" || l.First == "" || l.Last == "" {
			t.Errorf("line %d creates an account without profile or name: %+v", l.Line, l.Row)
		}
		for _, ref := range l.ChildRefs {
			if ref.ID == "" && (ref.Line < 0 || ref.Line >= len(p.Lines) || ref.Line == i || p.Lines[ref.Line].Outcome != Create) {
				t.Errorf("line %d names child line %d, which creates no pupil", l.Line, ref.Line)
			}
		}
	}
}
