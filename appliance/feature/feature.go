// Package feature is the contract between Préau's root and its features.
// A feature package exposes one Feature value that carries everything the
// root needs to wire it in: its name, its part of the database, its routes,
// its home-page tiles, its demo data and its commands. The root keeps one
// list of them (appliance.Features) and walks it to open the store, build
// the web server, seed the demo school and run the command line: adding a
// feature is its folder and one line in that list.
//
// Features never import each other. What they share comes from below them:
// the store, auth, web and config, and the school register through the
// Register interface, which the roster feature implements and the root hands
// to every feature in its Env.
//
// It imports store, auth, i18n, notify, web and config; never a feature.
package feature

import (
	"context"
	"errors"
	"net/http"
	"time"
	_ "time/tzdata" // the appliance may have no zoneinfo: Europe/Paris travels in the binary

	"preau/appliance/auth"
	"preau/appliance/notify"
	"preau/appliance/store"
	"preau/appliance/web"
)

// Feature is what a feature package declares, in one exported value.
type Feature struct {
	Name string
	// Schema is its part of the database: migrations, replicated tables
	// and what sync needs to know of them (audiences, blobs, push checks,
	// labels of a kept conflict). Zero when the feature has no table.
	Schema store.Schema
	// Routes registers its pages and API on env.Server, with their access
	// policies, and whatever it runs beside them (env.Services,
	// env.Control).
	Routes func(env *Env)
	// Tiles are its entries on the home pages, which are each profile's
	// menu; a tile may count what waits behind it (its Badge).
	Tiles func(env *Env) []web.Tile
	// Panels are its parts of the home pages under the tiles: what each
	// profile's day holds of it (what is due, the notes to sign, the news).
	Panels func(env *Env) []web.Panel
	// Demo is its part of a demo school: the data it seeds, the logins to
	// try. Zero when it has none.
	Demo Demo
	// Commands are what it adds to preau's command line (preau sync, preau
	// user import).
	Commands []Command
	// Agenda is what it shows in a person's agenda (homework's due days,
	// the days notes are about), read by the agenda feature.
	Agenda AgendaFeed

	// Search is what the search finds of it, one source per kind of row.
	Search []SearchSource
	// Personal is what it holds of a person, for their export and their
	// erasure (RGPD).
	Personal Personal
}

// AgendaFeed lists what a feature shows in u's agenda between two days
// (YYYY-MM-DD, from included, to excluded).
type AgendaFeed func(env *Env, ctx context.Context, u auth.User, from, to string) ([]Occurrence, error)

// Zone is where the schools are: an agenda's days begin at its midnight,
// and weekly events repeat in its local time, across the changes of hour.
var Zone = mustZone("Europe/Paris")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// Day is a day written YYYY-MM-DD at its midnight in Zone: where an
// all-day occurrence starts.
func Day(s string) (time.Time, error) { return time.ParseInLocation("2006-01-02", s, Zone) }

// Occurrence is one entry of an agenda: an event's occurrence, or what
// another feature shows there.
type Occurrence struct {
	ID       string // the event's, or the feature's row's
	Title    string
	Start    time.Time
	End      time.Time // excluded; for a day, midnight after it
	AllDay   bool
	Place    string
	URL      string // where it is shown in full
	Calendar string // "school", "class", "personal", or the feature's ("homework")
	Holiday  bool   // school holidays
}

// Env is what a feature is given to register itself: the web server (with
// the node's configuration, store, accounts and logger) and the school
// register. Its handlers keep it: a feature's handler type embeds *Env, so
// that h.Handle, h.Render, h.Fail, h.Auth and h.Register read the same in
// every feature.
type Env struct {
	*web.Server
	Register Register
	// Notify is the notification hub: a feature tells people what
	// concerns them through it (notify.Notice).
	Notify *notify.Hub
	// Audit is the audit log: a feature records there each administrative
	// action it performs (audit's, set when audit registers, first).
	Audit   Auditor
	Version string // the binary's, for what a node tells another
	// DemoAccounts are the logins of this node's demo school, in demo mode.
	DemoAccounts []DemoAccount

	// Feeds are every feature's AgendaFeed, for the agenda to read.
	Feeds []AgendaFeed
	// Sources are every feature's SearchSource, for the search to index.
	Sources []SearchSource
	// Exports are every feature's Personal.Export, for a person's export
	// to walk (RGPD).
	Exports []NamedExport
	// Erasers are every feature's Personal part that erases or retains,
	// in the features' order, for the privacy feature to walk when a
	// person is erased and when its daily job purges.
	Erasers []Eraser
	// Finder is the search's index, for a feature's own search box (the
	// webmail's); set when the search registers, after the features
	// before it, so read it when a request comes.
	Finder Finder
	// Library is a school's cache of the files of the city's library
	// (sync's, set when sync registers); nil on central, which holds them
	// all.
	Library Library
	// Outbox is a school's writes not yet acknowledged by central (sync's,
	// set when sync registers); nil on central, where every row has
	// arrived. Read it when a request comes.
	Outbox Outbox
	// Signatures are the city's signature on its library's files at a
	// school (update's, set when update registers, before sync); nil on
	// central. Read them when a file comes.
	Signatures Signatures
	// Pages are the class pages, for a feature that holds pages there
	// (the mini-sites); PageOwner is that feature's say on them. Both
	// are set when their feature registers: read them when a request
	// comes (see pages.go).
	Pages     OwnedPages
	PageOwner PageOwner

	// Services run while the node serves, each until its context ends
	// (sync's loop).
	Services []func(ctx context.Context)
	// Control holds the routes of the control socket, through which a
	// command reaches the server that holds the data directory (preau sync
	// now): see Reply and Control.
	Control *http.ServeMux

	provided map[any]any // see Provide
}

// Register is the school register as features read it: schools, classes,
// who is in each and who is whose parent. The roster feature implements it
// and owns its tables; other features only read it, save the schools
// central's DSI adds.
type Register interface {
	School(ctx context.Context, id string) (auth.School, error)
	Schools(ctx context.Context) ([]auth.School, error)
	// CreateSchool adds a school, or renames it when it exists.
	CreateSchool(ctx context.Context, id, name string) error
	Class(ctx context.Context, id string) (auth.Class, error)
	// SchoolClasses lists a school's classes, CP first.
	SchoolClasses(ctx context.Context, schoolID string) ([]auth.Class, error)
	// UserClasses lists the classes a pupil or teacher belongs to.
	UserClasses(ctx context.Context, userID string) ([]auth.Class, error)
	// ClassCounts gives, per class id of a school, its number of pupils.
	ClassCounts(ctx context.Context, schoolID string) (map[string]int, error)
	ClassPupils(ctx context.Context, classID string) ([]auth.User, error)
	ClassTeachers(ctx context.Context, classID string) ([]auth.User, error)
	Children(ctx context.Context, parentID string) ([]auth.User, error)
	Parents(ctx context.Context, childID string) ([]auth.User, error)
	// SchoolUsers lists a school's accounts and the parents of its pupils.
	SchoolUsers(ctx context.Context, schoolID string) ([]auth.User, error)
	// AskedToLink reports whether a school waits for this parent's answer
	// to link them to a child (central only).
	AskedToLink(ctx context.Context, parentID string) (bool, error)
}

// Provide keeps a feature's own service under key (a type of the feature's
// own, so that no other feature can use it), for that feature to hand out
// from the node: sync's Of(env) is how the root and tests reach sync's
// client and central side.
func (e *Env) Provide(key, service any) {
	if e.provided == nil {
		e.provided = make(map[any]any)
	}
	e.provided[key] = service
}

// Provided is what Provide kept under key, nil if nothing.
func (e *Env) Provided(key any) any { return e.provided[key] }

// Finder finds, in the search's index, the ids of a kind's entries that
// a person may see and that match the words of q, best first.
type Finder interface {
	Find(ctx context.Context, u auth.User, q, kind string, limit int) ([]string, error)
}

// Library is a school's cache of the city's library's files: the files of
// the city's rows in the tables whose schema caches them (store.Schema.
// Cached), under cache.max_size, least recently used leaving first.
type Library interface {
	// Fetch brings a file here if it is not, making room for it; an error
	// that says so when central cannot be reached now.
	Fetch(ctx context.Context, hash string) error
	// Touch records that a file was opened now.
	Touch(ctx context.Context, hash string)
	// CacheUsage is what the cache holds and may hold.
	CacheUsage(ctx context.Context) (CacheUsage, error)
	// Refused are the library's files, by hash, that the city did not
	// sign though it must have: neither fetched nor served, whatever the
	// link (a page says so rather than "when the connection returns").
	Refused(ctx context.Context) (map[string]bool, error)
}

// Outbox is what a school wrote that central has not acknowledged yet:
// the sync client knows up to which of its own writes central said it
// holds them durably.
type Outbox interface {
	// Unsent reports, among ids of a table's rows, those whose last write
	// here central has not acknowledged.
	Unsent(ctx context.Context, table string, ids []string) (map[string]bool, error)
}

// CacheUsage is a school's cache of the city's library.
type CacheUsage struct {
	Max, Used int64
	Files     []CachedFile // every file the school may show, newest first
}

// CachedFile is one file of the city's library as a school holds it.
type CachedFile struct {
	Hash   string
	Size   int64
	Here   bool
	UsedAt time.Time // zero when never opened here
	// Name is what its row calls it (a document's name, a release's
	// version), and Kind the catalogue key of what the row is (store.
	// Label's Row): "documents.label.document", "update.label.release".
	Name, Kind string
	// Signed says the city must have signed it for the school to cache
	// and serve it (store.CacheRule.Signed); Refused, that it did not.
	Signed, Refused bool
}

// Signatures are the city's signature on the files of its library: the
// DSI signs the list of them (each file's SHA-256 and length) with the
// keys whose root a school pins (update.root_key), and a school caches
// and serves a file of the library only when the signed, unexpired list
// names it.
type Signatures interface {
	// Vouch is nil when the city's signed library lists the file, or
	// when this node pins no root key (the city signs nothing: central's
	// word is taken, as before signatures); otherwise an error wrapping
	// ErrUnsigned that says why, which the school logs and reports to the
	// DSI. Name is the file's, for that report.
	Vouch(ctx context.Context, name, hash string, size int64) error
}

// ErrUnsigned is a file of the city's library that the city's signed
// list does not vouch for: it is neither cached nor served.
var ErrUnsigned = errors.New("not signed by the city")

// Auditor records administrative actions in the audit log: who, what,
// when, from where. Action is one of the audit package's stable names
// (account.create, request.status); target names what was acted on (an
// account's login, a request's id), never a secret.
type Auditor interface {
	// Record is an action done through the web: the actor is r's user,
	// the address the client's as web.ClientIP decides it.
	Record(r *http.Request, action, target string) error
	// RecordConsole is an action done at the command line, by actor (a
	// zero User when the command has no account behind it): its address
	// is "console".
	RecordConsole(ctx context.Context, actor auth.User, action, target string) error
}

// Audited records in the audit log an action r has just done. The action
// is done already: a log that cannot be written is logged as an error,
// not told to the user as a failure of what they did.
func (e *Env) Audited(r *http.Request, action, target string) {
	if e.Audit == nil {
		return // a test's node without the audit feature
	}
	if err := e.Audit.Record(r, action, target); err != nil {
		e.Log.ErrorContext(r.Context(), "audit", "action", action, "target", target, "error", err)
	}
}
