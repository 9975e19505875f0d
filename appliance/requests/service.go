package requests

import (
	"context"
	"encoding/json"
	"io"
	"slices"
	"strings"
	"time"

	"preau/appliance/apperr"
	"preau/appliance/auth"
	"preau/appliance/feature"
	"preau/appliance/notify"
	"preau/appliance/store"
	"preau/appliance/text"
	"preau/appliance/web"
)

// Kinds of request.
const (
	Pharmacy     = "pharmacy"
	Intervention = "intervention"
	Supplies     = "supplies"
)

// Kinds in the order pages offer them.
var Kinds = []string{Pharmacy, Intervention, Supplies}

// Statuses of a request, as the API names them. Queued is a school's
// request central has not acknowledged yet; the others are the DSI's.
const (
	Queued     = "queued"
	Received   = "received"
	InProgress = "in_progress"
	Done       = "done"
	Refused    = "refused"
)

// Statuses in the order pages offer them; the DSI sets all but Queued.
var Statuses = []string{Queued, Received, InProgress, Done, Refused}

// Urgencies of a technical intervention.
var Urgencies = []string{"low", "normal", "urgent"}

// Limits.
const (
	maxTitle    = 200
	maxText     = 4000
	maxComment  = 4000
	maxItems    = 100
	maxQuantity = 10000
	MaxFile     = 10 << 20
	maxFiles    = 5
)

// Request is a request as its pages and the API show it.
type Request struct {
	ID, SchoolID, Kind, Title, AuthorID string
	Fields                              Fields
	Status                              string // computed: see Service.status
	Assignee                            string // the agent's name, "" while none
	Created, Updated                    time.Time
	SchoolName                          string // filled for the DSI's queue
}

// Fields are a request's own fields, by kind: the items and quantities of
// a pharmacy or supplies request, the room, equipment, description and
// urgency of an intervention.
type Fields struct {
	Items       []Line `json:"items,omitempty"`
	Room        string `json:"room,omitempty"`
	Equipment   string `json:"equipment,omitempty"`
	Description string `json:"description,omitempty"`
	Urgency     string `json:"urgency,omitempty"`
}

// Line is one item ordered: its catalogue's id, its name and unit as they
// were when ordered (the catalogue may change after), and how many.
type Line struct {
	Item     string `json:"item"`
	Name     string `json:"name,omitempty"`
	Unit     string `json:"unit,omitempty"`
	Quantity int    `json:"quantity"`
}

// Event is what happened to a request: a comment, a file, a new status or
// agent.
type Event struct {
	ID, RequestID, SchoolID, AuthorID, AuthorName string
	Status, Assignee, Body                        string
	File, FileName, FileType                      string
	Created                                       time.Time
}

// Picture reports whether the event's file is a picture a page may show:
// its type was read from its first bytes, and SVG (which may hold a script)
// is not one.
func (e Event) Picture() bool {
	return e.File != "" && strings.HasPrefix(e.FileType, "image/") && e.FileType != "image/svg+xml"
}

// Item is an entry of a catalogue.
type Item struct {
	ID, Catalogue, Name, Unit string
}

// Draft is a request as a director files it.
type Draft struct {
	Kind, Title string
	Fields      Fields
	Files       []web.Upload // photos or documents, filed as the request's first events
}

// Change is what the DSI does to a request: a new status, an agent, a
// comment (the reason, when refusing).
type Change struct {
	Status, Assignee, Comment string
}

// Filter narrows the DSI's queue; "" keeps all. Age is "7" (filed in the
// last 7 days), "30" (in the last 30) or "old" (more than 30 days ago).
type Filter struct {
	Kind, School, Status, Age string
}

// Ages a filter offers.
var Ages = []string{"7", "30", "old"}

// Service is the requests to the city, shared by the pages and the API.
// Its rules: a school's director files requests for the school and
// comments them; the DSI sees every school's on central, changes their
// status and agent, comments them, and edits the catalogues (global
// rows). A request is queued while the school's outbox holds it.
type Service struct {
	db      *store.DB
	reg     feature.Register
	hub     *notify.Hub
	now     func() time.Time
	central bool
	outbox  func() feature.Outbox // nil, or returning nil: nothing waits
}

// NewService is a school's: outbox tells what central has not received.
func NewService(db *store.DB, reg feature.Register, outbox func() feature.Outbox) *Service {
	return &Service{db: db, reg: reg, now: time.Now, outbox: outbox}
}

// NewCentralService is central's, where the DSI handles requests.
func NewCentralService(db *store.DB, reg feature.Register) *Service {
	return &Service{db: db, reg: reg, now: time.Now, central: true}
}

// SetHub makes the service tell people through the hub.
func (s *Service) SetHub(h *notify.Hub) { s.hub = h }

// Central reports whether the service runs on central.
func (s *Service) Central() bool { return s.central }

// handles reports whether u handles requests here: the DSI, on central.
func (s *Service) handles(u auth.User) bool { return u.Profile == auth.DSI && s.central }

// sees checks that u reads requests here.
func (s *Service) sees(u auth.User) error {
	switch {
	case u.Profile == auth.Director && u.SchoolID != "":
		return nil
	case u.Profile == auth.DSI && !s.central:
		return apperr.New(apperr.ErrForbidden, "requests.err.dsi_on_central")
	case s.handles(u):
		return nil
	}
	return apperr.New(apperr.ErrForbidden, "requests.err.not_allowed")
}

// check holds a draft to its kind's rules; items are resolved from the
// catalogue.
func (s *Service) check(ctx context.Context, d *Draft) error {
	var err error
	if !slices.Contains(Kinds, d.Kind) {
		return apperr.New(apperr.ErrInvalid, "requests.err.kind", "Value", text.Short(d.Kind))
	}
	if d.Title, err = text.Line("requests.field.title_of", d.Title, maxTitle); err != nil {
		return err
	}
	if d.Title == "" {
		return apperr.New(apperr.ErrInvalid, "requests.err.title_required")
	}
	f := &d.Fields
	switch d.Kind {
	case Pharmacy, Supplies:
		if f.Room != "" || f.Equipment != "" || f.Description != "" || f.Urgency != "" {
			return apperr.New(apperr.ErrInvalid, "requests.err.items_only")
		}
		if len(f.Items) == 0 {
			return apperr.New(apperr.ErrInvalid, "requests.err.items_required")
		}
		if len(f.Items) > maxItems {
			return apperr.New(apperr.ErrInvalid, "requests.err.too_many_items", "Max", maxItems)
		}
		items, err := s.Catalogue(ctx, d.Kind)
		if err != nil {
			return err
		}
		seen := map[string]bool{}
		for i, l := range f.Items {
			k := slices.IndexFunc(items, func(it Item) bool { return it.ID == l.Item })
			if k < 0 {
				return apperr.New(apperr.ErrInvalid, "requests.err.unknown_item", "Value", text.Short(l.Item))
			}
			if l.Quantity < 1 || l.Quantity > maxQuantity {
				return apperr.New(apperr.ErrInvalid, "requests.err.quantity", "Name", items[k].Name, "Max", maxQuantity)
			}
			if seen[l.Item] {
				return apperr.New(apperr.ErrInvalid, "requests.err.item_twice", "Name", items[k].Name)
			}
			seen[l.Item] = true
			f.Items[i] = Line{Item: l.Item, Name: items[k].Name, Unit: items[k].Unit, Quantity: l.Quantity}
		}
		if len(d.Files) > 0 {
			return apperr.New(apperr.ErrInvalid, "requests.err.files_intervention")
		}
	case Intervention:
		if len(f.Items) > 0 {
			return apperr.New(apperr.ErrInvalid, "requests.err.no_items")
		}
		if f.Room, err = text.Line("requests.field.room_of", f.Room, maxTitle); err != nil {
			return err
		}
		if f.Equipment, err = text.Line("requests.field.equipment_of", f.Equipment, maxTitle); err != nil {
			return err
		}
		if f.Description, err = text.Body("requests.field.problem_of", f.Description, maxText); err != nil {
			return err
		}
		if f.Room == "" || f.Equipment == "" || f.Description == "" {
			return apperr.New(apperr.ErrInvalid, "requests.err.intervention_required")
		}
		if !slices.Contains(Urgencies, f.Urgency) {
			return apperr.New(apperr.ErrInvalid, "requests.err.urgency", "Value", text.Short(f.Urgency))
		}
		if len(d.Files) > maxFiles {
			return apperr.New(apperr.ErrInvalid, "requests.err.too_many_files", "Max", maxFiles)
		}
		for i := range d.Files {
			if err := checkFile(&d.Files[i]); err != nil {
				return err
			}
		}
	}
	return nil
}

// unnamedFile is the name a file sent without one is kept under (i18n:data).
const unnamedFile = "fichier"

// checkFile refuses an empty file or one over MaxFile, and reads its type
// from its first bytes.
func checkFile(up *web.Upload) error {
	switch {
	case up.Size <= 0:
		return apperr.New(apperr.ErrInvalid, "requests.err.empty_file")
	case up.Size > MaxFile:
		return apperr.New(apperr.ErrInvalid, "requests.err.file_too_big", "Max", MaxFile>>20)
	}
	if err := up.Sniff(); err != nil {
		return err
	}
	name, err := text.Line("requests.field.file_name", up.Name, maxTitle)
	if err != nil {
		return err
	}
	if name == "" {
		name = unnamedFile
	}
	up.Name = name
	return nil
}

func (s *Service) putFile(up web.Upload) (string, error) {
	f, err := up.Open()
	if err != nil {
		return "", err
	}
	defer f.Close()
	hash, _, err := s.db.Blobs().Put(f, MaxFile)
	return hash, err
}

// File files a request for u's school: its director only. Everything is
// checked before anything is written.
func (s *Service) File(ctx context.Context, u auth.User, d Draft) (Request, error) {
	if u.Profile != auth.Director || u.SchoolID == "" {
		return Request{}, apperr.New(apperr.ErrForbidden, "requests.err.director_only")
	}
	if err := s.check(ctx, &d); err != nil {
		return Request{}, err
	}
	if d.Kind != Intervention {
		d.Fields.Urgency = ""
	}
	fields, err := json.Marshal(d.Fields)
	if err != nil {
		return Request{}, err
	}
	var events []Event
	for _, up := range d.Files {
		hash, err := s.putFile(up)
		if err != nil {
			return Request{}, err
		}
		events = append(events, Event{SchoolID: u.SchoolID, AuthorID: u.ID, AuthorName: u.DisplayName, File: hash, FileName: up.Name, FileType: up.Type})
	}
	r := Request{SchoolID: u.SchoolID, Kind: d.Kind, Title: d.Title, AuthorID: u.ID, Fields: d.Fields, Created: s.now().UTC()}
	if r.ID, err = s.insert(ctx, r, string(fields), events); err != nil {
		return Request{}, err
	}
	r.Updated = r.Created
	r.Status, err = s.statusOf(ctx, r.ID, "")
	return r, err
}

// statusOf is a request's status: queued while this school's outbox holds
// its row, else the DSI's latest, received until the DSI sets one.
func (s *Service) statusOf(ctx context.Context, id, latest string) (string, error) {
	unsent, err := s.unsent(ctx, []string{id})
	if err != nil || unsent[id] {
		return Queued, err
	}
	if latest == "" {
		return Received, nil
	}
	return latest, nil
}

func (s *Service) unsent(ctx context.Context, ids []string) (map[string]bool, error) {
	if s.central || s.outbox == nil {
		return nil, nil
	}
	o := s.outbox()
	if o == nil {
		return nil, nil
	}
	return o.Unsent(ctx, "requests", ids)
}

// List is what u sees: their school's requests for a director, the
// queue of every school's for the DSI on central, through f. Newest first.
func (s *Service) List(ctx context.Context, u auth.User, f Filter) ([]Request, error) {
	if err := s.sees(u); err != nil {
		return nil, err
	}
	var list []Request
	var err error
	if u.Profile == auth.Director {
		list, err = s.query(ctx, "r.school_id = ?", u.SchoolID)
	} else if f.School != "" {
		list, err = s.query(ctx, "r.school_id = ?", f.School)
	} else {
		list, err = s.query(ctx, "1")
	}
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(list))
	for i, r := range list {
		ids[i] = r.ID
	}
	unsent, err := s.unsent(ctx, ids)
	if err != nil {
		return nil, err
	}
	var schools []auth.School
	if u.Profile == auth.DSI {
		if schools, err = s.reg.Schools(ctx); err != nil {
			return nil, err
		}
	}
	now := s.now()
	out := list[:0]
	for _, r := range list {
		if unsent[r.ID] {
			r.Status = Queued
		}
		if k := slices.IndexFunc(schools, func(sc auth.School) bool { return sc.ID == r.SchoolID }); k >= 0 {
			r.SchoolName = schools[k].Name
		}
		age := now.Sub(r.Created)
		if (f.Kind != "" && r.Kind != f.Kind) || (f.Status != "" && r.Status != f.Status) ||
			(f.Age == "7" && age > 7*24*time.Hour) || (f.Age == "30" && age > 30*24*time.Hour) || (f.Age == "old" && age <= 30*24*time.Hour) {
			continue
		}
		out = append(out, r)
	}
	return out, nil
}

// Get is one request u sees, with what happened to it, oldest first.
func (s *Service) Get(ctx context.Context, u auth.User, id string) (Request, []Event, error) {
	if err := s.sees(u); err != nil {
		return Request{}, nil, err
	}
	r, err := s.get(ctx, id)
	if err != nil {
		return r, nil, err
	}
	if u.Profile == auth.Director && r.SchoolID != u.SchoolID {
		return Request{}, nil, apperr.New(apperr.ErrNotFound, "requests.err.not_found")
	}
	if r.Status, err = s.statusOf(ctx, r.ID, r.Status); err != nil {
		return r, nil, err
	}
	if sc, err := s.reg.School(ctx, r.SchoolID); err == nil {
		r.SchoolName = sc.Name
	}
	events, err := s.events(ctx, r.ID)
	return r, events, err
}

// Change is the DSI's, on central: a new status (refusing needs a
// reason), an agent, a comment; the request's author is told.
func (s *Service) Change(ctx context.Context, u auth.User, id string, c Change) (Request, error) {
	if !s.handles(u) {
		return Request{}, apperr.New(apperr.ErrForbidden, "requests.err.dsi_only")
	}
	r, err := s.get(ctx, id)
	if err != nil {
		return r, err
	}
	if c.Status != "" && (c.Status == Queued || !slices.Contains(Statuses, c.Status)) {
		return r, apperr.New(apperr.ErrInvalid, "requests.err.status", "Value", text.Short(c.Status))
	}
	if c.Comment, err = text.Body("requests.field.comment_of", c.Comment, maxComment); err != nil {
		return r, err
	}
	if c.Assignee, err = text.Name("requests.field.assignee_of", c.Assignee); err != nil {
		return r, err
	}
	if c.Status == Refused && c.Comment == "" {
		return r, apperr.New(apperr.ErrInvalid, "requests.err.reason_required")
	}
	if c.Status == "" && c.Assignee == "" && c.Comment == "" {
		return r, apperr.New(apperr.ErrInvalid, "requests.err.nothing")
	}
	if c.Status == r.Status && c.Assignee == "" && c.Comment == "" {
		return r, nil
	}
	e := Event{RequestID: r.ID, SchoolID: r.SchoolID, AuthorID: u.ID, AuthorName: u.DisplayName, Status: c.Status, Assignee: c.Assignee, Body: c.Comment}
	if err := s.append(ctx, e); err != nil {
		return r, err
	}
	if c.Status != "" {
		r.Status = c.Status
	}
	s.tell(ctx, r, c.Status)
	return r, nil
}

// Comment adds a comment, a file, or both: the request's school's
// director, or the DSI on central (whose comment the director is told of).
// It returns the event written.
func (s *Service) Comment(ctx context.Context, u auth.User, id, body string, file *web.Upload) (Event, error) {
	r, _, err := s.Get(ctx, u, id)
	if err != nil {
		return Event{}, err
	}
	if u.Profile == auth.DSI && !s.central {
		return Event{}, apperr.New(apperr.ErrForbidden, "requests.err.dsi_on_central")
	}
	if body, err = text.Body("requests.field.comment_of", body, maxComment); err != nil {
		return Event{}, err
	}
	if strings.TrimSpace(body) == "" && file == nil {
		return Event{}, apperr.New(apperr.ErrInvalid, "requests.err.comment_required")
	}
	e := Event{ID: store.NewID(), RequestID: r.ID, SchoolID: r.SchoolID, AuthorID: u.ID, AuthorName: u.DisplayName, Body: body,
		Created: s.now().UTC()}
	if file != nil {
		if err := checkFile(file); err != nil {
			return Event{}, err
		}
		if e.File, err = s.putFile(*file); err != nil {
			return Event{}, err
		}
		e.FileName, e.FileType = file.Name, file.Type
	}
	if err := s.append(ctx, e); err != nil {
		return Event{}, err
	}
	if u.Profile == auth.DSI {
		s.tell(ctx, r, "")
	}
	return e, nil
}

// OpenFile opens an event's file for u, who sees its request.
func (s *Service) OpenFile(ctx context.Context, u auth.User, eventID string) (Event, io.ReadSeekCloser, error) {
	e, err := s.event(ctx, eventID)
	if err != nil {
		return e, nil, err
	}
	if _, _, err := s.Get(ctx, u, e.RequestID); err != nil {
		return e, nil, err
	}
	if e.File == "" {
		return e, nil, apperr.New(apperr.ErrNotFound, "requests.err.not_found")
	}
	f, err := s.db.Blobs().Open(e.File)
	if err != nil {
		return e, nil, apperr.New(apperr.ErrUnavailable, "requests.err.file_not_here")
	}
	return e, f, nil
}

// tell notifies the request's author of the DSI's change; the
// notification has the school's scope, so it reaches the school at the
// next sync.
func (s *Service) tell(ctx context.Context, r Request, status string) {
	if s.hub == nil {
		return
	}
	key := "requests.notice.comment"
	if status != "" {
		key = "requests.notice." + status
	}
	s.hub.Tell(ctx, notify.Notice{Users: []string{r.AuthorID}, Scope: r.SchoolID, Kind: "requests", Icon: "envoyer",
		URL: Path + "/" + r.ID, Key: key, Args: map[string]string{"Title": r.Title}})
}

// Catalogue is the city's catalogue of a kind (pharmacy or supplies), by
// name.
func (s *Service) Catalogue(ctx context.Context, catalogue string) ([]Item, error) {
	return s.items(ctx, catalogue)
}

// AddItem adds an entry to a catalogue: the DSI, on central.
func (s *Service) AddItem(ctx context.Context, u auth.User, it Item) (Item, error) {
	if !s.handles(u) {
		return it, apperr.New(apperr.ErrForbidden, "requests.err.dsi_only")
	}
	if it.Catalogue != Pharmacy && it.Catalogue != Supplies {
		return it, apperr.New(apperr.ErrInvalid, "requests.err.catalogue", "Value", text.Short(it.Catalogue))
	}
	var err error
	if it.Name, err = text.Line("requests.field.item_of", it.Name, maxTitle); err != nil {
		return it, err
	}
	if it.Unit, err = text.Line("requests.field.unit_of", it.Unit, maxTitle); err != nil {
		return it, err
	}
	if it.Name == "" {
		return it, apperr.New(apperr.ErrInvalid, "requests.err.item_name_required")
	}
	it.ID, err = s.insertItem(ctx, it)
	return it, err
}

// RemoveItem takes an entry off its catalogue: the DSI, on central. The
// requests that ordered it keep its name.
func (s *Service) RemoveItem(ctx context.Context, u auth.User, id string) (Item, error) {
	if !s.handles(u) {
		return Item{}, apperr.New(apperr.ErrForbidden, "requests.err.dsi_only")
	}
	it, err := s.item(ctx, id)
	if err != nil {
		return it, err
	}
	return it, s.removeItem(ctx, id)
}

// Waiting counts the requests that wait for someone: the DSI's received
// ones on central, a school's queued ones for its director.
func (s *Service) Waiting(ctx context.Context, u auth.User) (int, error) {
	want := Received
	if u.Profile == auth.Director {
		want = Queued
	}
	list, err := s.List(ctx, u, Filter{Status: want})
	return len(list), err
}
