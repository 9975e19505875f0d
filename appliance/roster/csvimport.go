package roster

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	xunicode "golang.org/x/text/encoding/unicode"

	"preau/appliance/auth"
	"preau/appliance/i18n"
	"preau/appliance/text"
)

// Reading and checking a CSV file of pupils, parents and teachers. Nothing
// here touches the store: ParseCSV reads a file, MakePlan weighs its lines
// against what the school already holds (Existing, loaded by the caller),
// so both are tested with tables and shared by the web pages and the CLI.

// Limits of an import. A school of a few hundred pupils and parents fits in
// a few dozen kilobytes; every new account costs one password hash (tens of
// milliseconds), so the number of lines is bounded too.
const (
	MaxImportSize  = 1 << 20
	MaxImportLines = 2000
)

// FileError is a problem with a whole file (not a CSV, no header, a missing
// column): nothing of it is imported. It is said in the reader's language.
type FileError struct{ Msg i18n.Message }

func (e *FileError) Error() string                  { return e.Msg.String() }
func (e *FileError) Localize(lang i18n.Lang) string { return e.Msg.In(lang) }

func fileError(key string, args ...any) error {
	return &FileError{Msg: i18n.M(key, args...)}
}

// The columns of an import file, as named in the template: the file
// format's names, the same whatever the reader's language (i18n:data).
const (
	colProfile  = "profil"
	colFirst    = "prénom"
	colLast     = "nom"
	colClass    = "classe"
	colChildren = "enfants"
	colEmail    = "email"
	colLogin    = "identifiant"
)

// ImportColumns is the template's header, in order.
var ImportColumns = []string{colProfile, colFirst, colLast, colClass, colChildren, colEmail, colLogin}

var requiredColumns = []string{colProfile, colFirst, colLast}

// headerNames maps folded header cells to columns; spreadsheets exported by
// other tools name them in many ways.
var headerNames = map[string]string{
	"profil": colProfile, "profile": colProfile, "type": colProfile,
	"prenom": colFirst, "prenoms": colFirst,
	"nom": colLast, "nom de famille": colLast,
	"classe":  colClass,
	"enfants": colChildren, "enfant": colChildren,
	"email": colEmail, "e mail": colEmail, "mail": colEmail, "courriel": colEmail, "adresse e mail": colEmail, "adresse email": colEmail,
	"identifiant": colLogin, "login": colLogin,
}

// profileNames maps folded profile cells to profiles: the file format's
// words (i18n:data).
var profileNames = map[string]auth.Profile{
	"eleve": auth.Pupil, "eleves": auth.Pupil,
	"parent": auth.Parent, "parents": auth.Parent, "responsable": auth.Parent, "responsable legal": auth.Parent,
	"enseignant": auth.Teacher, "enseignante": auth.Teacher, "enseignant e": auth.Teacher, "professeur": auth.Teacher,
	"professeure": auth.Teacher,
}

// Row is one line of a file, as read.
type Row struct {
	Line        int          // line number in the file, header = 1
	Profile     auth.Profile // "" when the cell is empty or unknown
	ProfileText string
	First       string
	Last        string
	Class       string
	Children    string
	Email       string
	Login       string
	Problem     i18n.Message // why the line could not be read, if it could not (Key "" when it could)
}

// Name is the row's first and last name.
func (r Row) Name() string { return strings.TrimSpace(r.First + " " + r.Last) }

// Sheet is a parsed file.
type Sheet struct {
	Text    string   // the file decoded to UTF-8, sent back to confirm
	Rows    []Row    // its non-blank lines after the header
	Ignored []string // header cells that name no known column
}

// ParseCSV reads an import file: UTF-8 (with or without BOM), UTF-16 with a
// BOM, or Windows-1252 when the bytes are not UTF-8 (Excel's "CSV" on a
// French Windows); ';', ',' or tab separated, as the header shows.
func ParseCSV(data []byte) (Sheet, error) {
	text, err := decode(data)
	if err != nil {
		return Sheet{}, err
	}
	return parseText(text)
}

var (
	bomUTF8    = []byte{0xEF, 0xBB, 0xBF}
	bomUTF16LE = []byte{0xFF, 0xFE}
	bomUTF16BE = []byte{0xFE, 0xFF}
)

// howToSave says how to get a CSV file out of a spreadsheet.
var howToSave = i18n.M("roster.import.how_to_save")

// decode turns the bytes of a file into text, refusing what is not text.
func decode(data []byte) (string, error) {
	if len(data) > MaxImportSize {
		return "", fileError("roster.import.too_big", "Max", MaxImportSize>>20)
	}
	if err := notASpreadsheetFile(data); err != nil {
		return "", err
	}
	var text string
	switch {
	case bytes.HasPrefix(data, bomUTF16LE), bytes.HasPrefix(data, bomUTF16BE):
		b, err := xunicode.UTF16(xunicode.BigEndian, xunicode.ExpectBOM).NewDecoder().Bytes(data)
		if err != nil {
			return "", fileError("roster.import.not_text", "How", howToSave)
		}
		text = string(b)
	case bytes.IndexByte(data, 0) >= 0:
		return "", fileError("roster.import.binary", "How", howToSave)
	case utf8.Valid(data):
		text = string(bytes.TrimPrefix(data, bomUTF8))
	default:
		b, err := charmap.Windows1252.NewDecoder().Bytes(data)
		if err != nil {
			return "", fileError("roster.import.not_text", "How", howToSave)
		}
		text = string(b)
	}
	text = strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\r", "\n")
	if line := firstUnreadableLine(text); line > 0 {
		return "", fileError("roster.import.unreadable_line", "Line", line, "How", howToSave)
	}
	if strings.TrimSpace(text) == "" {
		return "", fileError("roster.import.empty")
	}
	return text, nil
}

// notASpreadsheetFile names the usual wrong files: a workbook sent instead
// of its CSV export.
func notASpreadsheetFile(data []byte) error {
	switch {
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		return fileError("roster.import.xlsx", "How", howToSave)
	case bytes.HasPrefix(data, []byte{0xD0, 0xCF, 0x11, 0xE0}):
		return fileError("roster.import.xls", "How", howToSave)
	case bytes.HasPrefix(data, []byte("%PDF")):
		return fileError("roster.import.pdf", "How", howToSave)
	}
	return nil
}

// firstUnreadableLine is the number of the first line holding a control
// character or an undecodable byte, 0 when there is none.
func firstUnreadableLine(text string) int {
	line := 1
	for _, r := range text {
		switch {
		case r == '\n':
			line++
		case r == '\t':
		case r == utf8.RuneError, unicode.IsControl(r):
			return line
		}
	}
	return 0
}

// parseText reads the header and the rows of decoded text.
func parseText(text string) (Sheet, error) {
	sheet := Sheet{Text: text}
	lines := strings.Split(text, "\n")
	h := 0
	for h < len(lines) && strings.TrimSpace(lines[h]) == "" {
		h++
	}
	if h == len(lines) {
		return sheet, fileError("roster.import.empty")
	}
	sep := separator(lines[h])
	header, err := splitLine(lines[h], sep)
	if err != nil {
		return sheet, fileError("roster.import.bad_header", "Line", h+1)
	}
	cols, err := readHeader(header, &sheet)
	if err != nil {
		return sheet, err
	}
	for i := h + 1; i < len(lines); i++ {
		row, blank := readRow(lines[i], i+1, sep, cols, len(header))
		if blank {
			continue
		}
		if len(sheet.Rows) == MaxImportLines {
			return sheet, fileError("roster.import.too_many", "Max", MaxImportLines)
		}
		sheet.Rows = append(sheet.Rows, row)
	}
	if len(sheet.Rows) == 0 {
		return sheet, fileError("roster.import.header_only")
	}
	return sheet, nil
}

// separator picks ';', ',' or tab, whichever the header uses most; French
// spreadsheets write ';', which wins ties.
func separator(header string) rune {
	best, n := ';', strings.Count(header, ";")
	for _, c := range []rune{',', '\t'} {
		if k := strings.Count(header, string(c)); k > n {
			best, n = c, k
		}
	}
	return best
}

// splitLine reads one CSV line. Lines are split before, so a quoted cell
// cannot run over several lines: a stray quote spoils one line, not the rest
// of the file.
func splitLine(line string, sep rune) ([]string, error) {
	r := csv.NewReader(strings.NewReader(line))
	r.Comma = sep
	r.FieldsPerRecord = -1
	fields, err := r.Read()
	if err != nil {
		return nil, errors.New("misplaced quotes")
	}
	for i := range fields {
		fields[i] = strings.TrimSpace(fields[i])
	}
	return fields, nil
}

// readHeader maps each header cell to a column (-1: ignored) and checks the
// required columns are there.
func readHeader(header []string, sheet *Sheet) ([]string, error) {
	cols := make([]string, len(header))
	seen := map[string]bool{}
	for i, cell := range header {
		col, ok := headerNames[fold(cell)]
		if !ok {
			if cell != "" {
				sheet.Ignored = append(sheet.Ignored, text.Short(cell))
			}
			continue
		}
		if seen[col] {
			return nil, fileError("roster.import.column_twice", "Column", col)
		}
		seen[col] = true
		cols[i] = col
	}
	if len(seen) == 0 {
		return nil, fileError("roster.import.no_header", "Columns", strings.Join(ImportColumns, ";"))
	}
	var missing []i18n.Message
	for _, c := range requiredColumns {
		if !seen[c] {
			missing = append(missing, i18n.M("roster.import.quoted", "Column", c))
		}
	}
	switch len(missing) {
	case 0:
		return cols, nil
	case 1:
		return nil, fileError("roster.import.missing_column", "Column", missing[0])
	}
	return nil, fileError("roster.import.missing_columns", "Columns", joinList(missing))
}

// readRow reads a data line; blank reports a line with nothing in it
// (spreadsheets export empty rows as ";;;;").
func readRow(line string, n int, sep rune, cols []string, width int) (row Row, blank bool) {
	row = Row{Line: n}
	if strings.Trim(line, " \t;,\"") == "" {
		return row, true
	}
	fields, err := splitLine(line, sep)
	if err != nil {
		row.Problem = i18n.M("roster.import.bad_quotes")
		return row, false
	}
	for i, f := range fields {
		if i >= width {
			if f != "" {
				row.Problem = i18n.M("roster.import.bad_width", "Got", len(fields), "Want", width, "Sep", string(sep))
			}
			continue
		}
		row.set(cols[i], f)
	}
	if row.Problem.Key == "" {
		row.Problem = row.checkText()
	}
	return row, false
}

// maxListCell bounds the cells that list names (a teacher's classes, a
// parent's children): they fill no field of their own, and ten names is
// more than any family or timetable needs.
const maxListCell = 10 * text.MaxName

// checkText holds every cell to the rules of typed text, with the length of
// the field it fills. A line with a refused cell is not read further, and
// keeps only the start of that cell: the preview never shows it whole.
func (r *Row) checkText() i18n.Message {
	var problems []i18n.Message
	for _, cell := range []struct {
		field string
		value *string
		max   int
	}{
		{"field.profile", &r.ProfileText, text.MaxName},
		{"field.first_name", &r.First, text.MaxName},
		{"field.last_name", &r.Last, text.MaxName},
		{"field.class_cell", &r.Class, maxListCell},
		{"field.children_cell", &r.Children, maxListCell},
		{"field.email", &r.Email, text.MaxEmail},
		{"field.login", &r.Login, auth.MaxLogin},
	} {
		v, err := text.Line(cell.field, *cell.value, cell.max)
		if err != nil {
			problems = append(problems, i18n.M("roster.import.error", "Error", err))
			v = text.Short(*cell.value)
		}
		*cell.value = v
	}
	return joinProblems(problems)
}

// joinList is one message listing ms, "a, b, c" as the reader's language
// writes it.
func joinList(ms []i18n.Message) i18n.Message {
	m := ms[0]
	for _, p := range ms[1:] {
		m = i18n.M("roster.import.list_join", "A", m, "B", p)
	}
	return m
}

// joinProblems is one message saying all of problems, in the reader's
// language with its separator; the zero Message when there is none.
func joinProblems(problems []i18n.Message) i18n.Message {
	if len(problems) == 0 {
		return i18n.Message{}
	}
	m := problems[0]
	for _, p := range problems[1:] {
		m = i18n.M("roster.import.join", "A", m, "B", p)
	}
	return m
}

func (r *Row) set(col, v string) {
	switch col {
	case colProfile:
		r.ProfileText, r.Profile = v, profileNames[fold(v)]
	case colFirst:
		r.First = v
	case colLast:
		r.Last = v
	case colClass:
		r.Class = v
	case colChildren:
		r.Children = v
	case colEmail:
		r.Email = v
	case colLogin:
		r.Login = v
	}
}

// fold makes names comparable: lower case, no accents, punctuation and runs
// of spaces as one space ("Jean-Pierre  D'Arc" = "jean pierre d arc").
func fold(s string) string {
	folded := text.StripAccents(strings.ToLower(s))
	return strings.Join(strings.FieldsFunc(folded, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}), " ")
}

// validEmail accepts a bare address: "nom@domaine.fr".
func validEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && strings.Contains(s[strings.IndexByte(s, '@'):], ".")
}

// childClass splits "Léa Martin (CE1)" into the name and the class that
// tells two pupils of the same name apart.
var childClass = regexp.MustCompile(`^(.*?)\s*\(([^()]*)\)\s*$`)

// splitList splits a cell of several values separated by '|'.
func splitList(cell string) []string {
	var out []string
	for _, v := range strings.Split(cell, "|") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// Existing is what the school, and for logins and parents' addresses the
// whole city, already holds that an import is checked against.
type Existing struct {
	SchoolID       string // the school importing
	Classes        []auth.Class
	Pupils         []Person          // the school's pupils
	Parents        []Person          // the parents of the school's pupils
	Teachers       []Person          // the school's teachers and direction
	ParentsByEmail map[string]Person // the city's parent accounts, by lower-case address
	Logins         map[string]string // the city's logins, lower case, to their account's id
	// Asked lists, per parent of another school, the children this school
	// has asked to link them to, still waiting for the parent's answer.
	Asked map[string][]string
}

// Person is an existing account as an import sees it.
type Person struct {
	ID, First, Last, Email string
	SchoolID               string   // the school the account belongs to
	ClassIDs               []string // pupils and teachers
	ChildIDs               []string // parents
}

// Outcome is what confirming an import does with a line.
type Outcome int

const (
	Create  Outcome = iota // a new account
	Present                // already there: nothing to do
	Update                 // already there: linked to more children or classes
	Invalid                // a problem: nothing is imported until it is fixed
)

// Line is a row and what the import does with it.
type Line struct {
	Row
	Outcome    Outcome
	Message    i18n.Message // "à créer", "déjà présent : ignoré", or the problems
	Warning    i18n.Message // worth a look; does not block (Key "" for none)
	Note       i18n.Message // what the result means, when it needs a sentence (Key "" for none)
	Classes    []auth.Class // the classes a new pupil or teacher joins, or an existing teacher joins
	ChildRefs  []ChildRef   // the children a parent is linked to (for Update: the new links only)
	ExistingID string       // the account matched, for Present and Update
	// Asks: the matched parent's account belongs to another school, so the
	// import asks them to accept the links instead of making them.
	Asks bool
}

// ChildRef is a child named on a parent's line: an existing pupil (ID) or
// the pupil another line creates (Line, an index into Plan.Lines).
type ChildRef struct {
	ID   string
	Line int
	Name string
}

func (c ChildRef) key() string {
	if c.ID != "" {
		return c.ID
	}
	return fmt.Sprint("line:", c.Line)
}

// Plan is what an import does, line by line.
type Plan struct {
	Lines                            []Line
	Text                             string   // the file as UTF-8
	Ignored                          []string // header cells that name no known column
	Create, Present, Update, Invalid int
}

// OK reports whether the plan may be confirmed: no line has a problem.
func (p Plan) OK() bool { return p.Invalid == 0 }

// Changes reports whether confirming would write anything.
func (p Plan) Changes() bool { return p.Create+p.Update > 0 }

// MakePlan weighs every row against what exists and against the other rows.
func MakePlan(sheet Sheet, ex Existing) Plan {
	c := newChecker(ex, sheet.Rows)
	// Pupils first: parents name them. "" is a missing or unknown profile.
	for _, profile := range []auth.Profile{auth.Pupil, auth.Teacher, auth.Parent, ""} {
		for i := range c.lines {
			if c.lines[i].Problem.Key == "" && c.lines[i].Profile == profile {
				c.check(i)
			}
		}
	}
	c.checkLogins()
	p := Plan{Lines: c.lines, Text: sheet.Text, Ignored: sheet.Ignored}
	for i := range p.Lines {
		c.conclude(i)
		switch p.Lines[i].Outcome {
		case Create:
			p.Create++
		case Present:
			p.Present++
		case Update:
			p.Update++
		default:
			p.Invalid++
		}
	}
	return p
}

// checker holds the indexes a plan is made with.
type checker struct {
	ex         Existing
	lines      []Line
	problems   [][]i18n.Message
	classes    map[string]auth.Class // by folded name
	classNames map[string]string     // by id
	// The existing people by folded "first last".
	pupils, teachers, parents map[string][]Person
	candidates                map[string][]candidate // the pupils a parent may name, by folded name in either order
	seen                      map[string]int         // duplicate keys to the first line's index
	parentLines               map[string][]int       // parents' lines checked so far, by folded name
	parentEmails              map[string]int         // and by lower-case address
}

// candidate is a pupil a parent's line may name.
type candidate struct {
	class string // folded class name
	ref   ChildRef
}

func newChecker(ex Existing, rows []Row) *checker {
	c := &checker{ex: ex, lines: make([]Line, len(rows)), problems: make([][]i18n.Message, len(rows)),
		classes: map[string]auth.Class{}, classNames: map[string]string{}, candidates: map[string][]candidate{},
		seen: map[string]int{}, parentLines: map[string][]int{}, parentEmails: map[string]int{},
		pupils: byName(ex.Pupils), teachers: byName(ex.Teachers), parents: byName(ex.Parents)}
	for i, r := range rows {
		c.lines[i] = Line{Row: r}
	}
	for _, cl := range ex.Classes {
		c.classes[fold(cl.Name)] = cl
		c.classNames[cl.ID] = cl.Name
	}
	for _, p := range ex.Pupils {
		for _, id := range p.ClassIDs {
			c.addCandidate(p.First, p.Last, c.classNames[id], ChildRef{ID: p.ID, Name: p.First + " " + p.Last})
		}
	}
	return c
}

func byName(people []Person) map[string][]Person {
	out := map[string][]Person{}
	for _, p := range people {
		k := fold(p.First + " " + p.Last)
		out[k] = append(out[k], p)
	}
	return out
}

// addCandidate lets parents name a pupil as "first last" or "last first".
func (c *checker) addCandidate(first, last, class string, ref ChildRef) {
	cand := candidate{class: fold(class), ref: ref}
	a, b := fold(first+" "+last), fold(last+" "+first)
	c.candidates[a] = append(c.candidates[a], cand)
	if b != a {
		c.candidates[b] = append(c.candidates[b], cand)
	}
}

// problem adds a problem to line i. The strings it quotes are the file's
// values: only their start is shown.
func (c *checker) problem(i int, key string, args ...any) {
	for j, a := range args {
		if s, ok := a.(string); ok && j%2 == 1 {
			args[j] = text.Short(s)
		}
	}
	c.problems[i] = append(c.problems[i], i18n.M(key, args...))
}

// check runs the checks common to all lines, then the profile's own.
func (c *checker) check(i int) {
	l := &c.lines[i]
	switch {
	case l.ProfileText == "":
		c.problem(i, "roster.import.p.no_profile")
	case l.Profile == "":
		c.problem(i, "roster.import.p.bad_profile", "Value", l.ProfileText)
	}
	if l.First == "" {
		c.problem(i, "roster.import.p.no_first")
	}
	if l.Last == "" {
		c.problem(i, "roster.import.p.no_last")
	}
	if l.Email != "" && !validEmail(l.Email) {
		c.problem(i, "roster.import.p.bad_email", "Value", l.Email)
	}
	if l.First == "" || l.Last == "" {
		return // without a name, nothing else can be matched
	}
	switch l.Profile {
	case auth.Pupil:
		c.checkPupil(i)
	case auth.Teacher:
		c.checkTeacher(i)
	case auth.Parent:
		c.checkParent(i)
	}
}

// duplicate reports whether key was seen on an earlier line, naming it.
func (c *checker) duplicate(i int, key string) bool {
	if j, ok := c.seen[key]; ok {
		c.problem(i, "roster.import.p.duplicate", "Line", c.lines[j].Line)
		return true
	}
	c.seen[key] = i
	return false
}

func (c *checker) class(i int, name string) (auth.Class, bool) {
	cl, ok := c.classes[fold(name)]
	if !ok {
		c.problem(i, "roster.import.p.unknown_class", "Value", name)
	}
	return cl, ok
}

func (c *checker) checkPupil(i int) {
	l := &c.lines[i]
	name := fold(l.First + " " + l.Last)
	var cl auth.Class
	ok := false
	switch {
	case l.Class == "":
		c.problem(i, "roster.import.p.no_class")
	case len(splitList(l.Class)) > 1:
		c.problem(i, "roster.import.p.one_class")
	default:
		cl, ok = c.class(i, l.Class)
	}
	if c.duplicate(i, "pupil|"+name+"|"+fold(l.Class)) {
		return
	}
	var elsewhere []string
	for _, p := range c.pupils[name] {
		for _, id := range p.ClassIDs {
			if ok && id == cl.ID {
				l.ExistingID = p.ID
			} else {
				elsewhere = append(elsewhere, c.classNames[id])
			}
		}
	}
	if l.ExistingID != "" {
		return // the school's pupils are candidates already
	}
	if ok {
		l.Classes = []auth.Class{cl}
	}
	if len(elsewhere) > 0 {
		l.Warning = i18n.M("roster.import.same_name_elsewhere", "Classes", strings.Join(elsewhere, ", "))
	}
	c.addCandidate(l.First, l.Last, l.Class, ChildRef{Line: i, Name: l.Name()})
}

func (c *checker) checkTeacher(i int) {
	l := &c.lines[i]
	for _, name := range splitList(l.Class) {
		if cl, ok := c.class(i, name); ok {
			l.Classes = append(l.Classes, cl)
		}
	}
	name := fold(l.First + " " + l.Last)
	if c.duplicate(i, "teacher|"+name) {
		return
	}
	if ts := c.teachers[name]; len(ts) > 0 {
		l.ExistingID = ts[0].ID
		l.Classes = missingClasses(l.Classes, ts[0].ClassIDs)
	}
}

func missingClasses(want []auth.Class, have []string) []auth.Class {
	var out []auth.Class
	for _, cl := range want {
		if !contains(have, cl.ID) {
			out = append(out, cl)
		}
	}
	return out
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func (c *checker) checkParent(i int) {
	l := &c.lines[i]
	names := splitList(l.Children)
	if len(names) == 0 {
		c.problem(i, "roster.import.p.no_children")
	}
	seen := map[string]bool{}
	for _, n := range names {
		if ref, ok := c.child(i, n); ok && !seen[ref.key()] {
			seen[ref.key()] = true
			l.ChildRefs = append(l.ChildRefs, ref)
		}
	}
	if c.duplicateParent(i) {
		return
	}
	if p, ok := c.existingParent(l); ok {
		l.ExistingID = p.ID
		l.Asks = p.SchoolID != c.ex.SchoolID
		var missing []ChildRef
		for _, ref := range l.ChildRefs {
			if ref.ID == "" || !contains(p.ChildIDs, ref.ID) && !contains(c.ex.Asked[p.ID], ref.ID) {
				missing = append(missing, ref)
			}
		}
		l.ChildRefs = missing
	}
}

// child finds the pupil a parent's line names: "Prénom Nom", or "Nom Prénom",
// with "(classe)" to tell two pupils of the same name apart.
func (c *checker) child(i int, text string) (ChildRef, bool) {
	name, class := text, ""
	if m := childClass.FindStringSubmatch(text); m != nil {
		name, class = m[1], m[2]
	}
	key := fold(name)
	var found []ChildRef
	seen := map[string]bool{}
	for _, cand := range c.candidates[key] {
		if class != "" && cand.class != fold(class) || seen[cand.ref.key()] {
			continue
		}
		seen[cand.ref.key()] = true
		found = append(found, cand.ref)
	}
	switch len(found) {
	case 0:
		c.problem(i, "roster.import.p.unknown_child", "Value", text)
		return ChildRef{}, false
	case 1:
		return found[0], true
	}
	c.problem(i, "roster.import.p.ambiguous_child", "Value", text, "Name", name)
	return ChildRef{}, false
}

// duplicateParent: two lines are the same parent when they give the same
// address, or the same name and no two different addresses.
func (c *checker) duplicateParent(i int) bool {
	l := c.lines[i]
	name, email := fold(l.Name()), strings.ToLower(l.Email)
	first, dup := c.parentEmails[email]
	for _, j := range c.parentLines[name] {
		if o := strings.ToLower(c.lines[j].Email); !dup && (email == "" || o == "" || o == email) {
			first, dup = j, true
		}
	}
	if dup {
		c.problem(i, "roster.import.p.duplicate_parent", "Line", c.lines[first].Line)
		return true
	}
	c.parentLines[name] = append(c.parentLines[name], i)
	if email != "" {
		c.parentEmails[email] = i
	}
	return false
}

// existingParent finds the account of a parent's line: the city's parent
// with the same address, or the school's parent of the same name already
// linked to one of the children named.
func (c *checker) existingParent(l *Line) (Person, bool) {
	if l.Email != "" {
		if p, ok := c.ex.ParentsByEmail[strings.ToLower(l.Email)]; ok {
			return p, true
		}
	}
	for _, p := range c.parents[fold(l.Name())] {
		for _, ref := range l.ChildRefs {
			if ref.ID != "" && contains(p.ChildIDs, ref.ID) {
				return p, true
			}
		}
	}
	return Person{}, false
}

// checkLogins checks the logins chosen for new accounts: well formed, free
// in the city, and not chosen twice in the file.
func (c *checker) checkLogins() {
	taken := map[string]int{}
	for i := range c.lines {
		l := &c.lines[i]
		if l.Login == "" || l.ExistingID != "" || l.Problem.Key != "" || l.Profile == "" {
			continue
		}
		login := strings.ToLower(l.Login)
		switch j, dup := taken[login]; {
		case !auth.ValidLogin(login):
			c.problem(i, "roster.import.p.bad_login", "Value", l.Login, "Max", auth.MaxLogin)
		case c.ex.Logins[login] != "":
			c.problem(i, "roster.import.p.login_taken", "Value", l.Login)
		case dup:
			c.problem(i, "roster.import.p.login_twice", "Value", l.Login, "Line", c.lines[j].Line)
		default:
			taken[login] = i
		}
	}
}

// conclude sets a line's outcome and message.
func (c *checker) conclude(i int) {
	l := &c.lines[i]
	if l.Problem.Key != "" {
		c.problems[i] = []i18n.Message{l.Problem}
	}
	if len(c.problems[i]) > 0 {
		l.Outcome, l.Message = Invalid, joinProblems(c.problems[i])
		return
	}
	switch {
	case l.ExistingID == "":
		l.Outcome, l.Message = Create, i18n.M("roster.import.o.create")
	case len(l.ChildRefs) > 0 && l.Asks:
		l.Outcome, l.Message = Update, i18n.M("roster.import.o.ask", "Names", childNames(l.ChildRefs))
		l.Note = i18n.M("roster.import.o.ask_note")
	case len(l.ChildRefs) > 0:
		l.Outcome, l.Message = Update, i18n.M("roster.import.o.link", "Names", childNames(l.ChildRefs))
	case len(l.Classes) > 0:
		l.Outcome, l.Message = Update, i18n.M("roster.import.o.add_class", "Names", classNames(l.Classes))
	case l.Asks:
		l.Outcome, l.Message = Present, i18n.M("roster.import.o.present")
		l.Note = i18n.M("roster.import.o.present_note")
	default:
		l.Outcome, l.Message = Present, i18n.M("roster.import.o.present")
	}
}

func childNames(refs []ChildRef) string {
	names := make([]string, len(refs))
	for i, r := range refs {
		names[i] = r.Name
	}
	return strings.Join(names, ", ")
}

func classNames(cs []auth.Class) string {
	names := make([]string, len(cs))
	for i, c := range cs {
		names[i] = c.Name
	}
	return strings.Join(names, ", ")
}
