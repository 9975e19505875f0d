// Package audit is the audit log (journal des actions d'administration):
// every administrative action a feature performs (accounts, rights,
// imports, exports, erasures, configuration, moderation, updates) is
// written there with who did it, when and from where. It is append-only
// and replicated: a school's entries reach central, where the city's DSI
// reads every school's; a director reads their school's.
//
// Features reach it through feature.Env.Audit (an Auditor), set when this
// feature registers, first of all; they never import it.
//
// It imports auth, store, apperr, web, config and feature; no other feature.
package audit

import (
	"context"
	"embed"
	"net/http"
	"slices"
	"time"

	"preau/appliance/auth"
	"preau/appliance/config"
	"preau/appliance/feature"
	"preau/appliance/store"
	"preau/appliance/web"
)

// Feature is the audit log.
var Feature = feature.Feature{Name: "audit", Schema: Schema, Routes: routes, Tiles: tiles, Personal: feature.Personal{Export: personalExport, Retain: retain}}

//go:embed migrations/*.sql
var migrations embed.FS

// Schema is the audit log's table, replicated, append-only.
var Schema = store.Schema{
	Name:       "audit",
	FS:         store.Sub(migrations, "migrations"),
	Replicated: []string{"audit_entries"},
	PushChecks: map[string]store.PushCheck{"audit_entries": checkEntryRow},
	Labels: map[string]store.Label{
		"audit_entries": {Row: "audit.label.entry", Columns: []store.ColumnLabel{
			{Column: "action", Label: "audit.label.action"}, {Column: "target", Label: "audit.label.target"},
		}},
	},
}

// The actions: stable names, shown in the reader's language (audit.action.*).
const (
	AccountCreate        = "account.create"
	AccountUpdate        = "account.update"
	AccountDisable       = "account.disable"
	AccountEnable        = "account.enable"
	AccountPasswordReset = "account.password_reset"
	AccountRole          = "account.role"
	ImportApply          = "import.apply"
	ExportUser           = "export.user"
	EraseUser            = "account.erase"
	ConfigChange         = "config.change"
	ModerationApprove    = "moderation.approve"
	ModerationRefuse     = "moderation.refuse"
	ModerationRemove     = "moderation.remove"
	ModerationPublish    = "moderation.publish"
	ModerationUnpublish  = "moderation.unpublish"
	UpdatePublish        = "update.publish"
	UpdateExtend         = "update.extend"
	RequestStatus        = "request.status"
)

// Actions are every action the log knows, in the order the filter lists them.
var Actions = []string{AccountCreate, AccountUpdate, AccountDisable, AccountEnable, AccountPasswordReset, AccountRole, ImportApply,
	ExportUser, EraseUser, ConfigChange, ModerationApprove, ModerationRefuse, ModerationRemove, ModerationPublish, ModerationUnpublish, UpdatePublish,
	UpdateExtend, RequestStatus}

// Console is the address of an action done at the command line.
const Console = "console"

// cityScope is the scope of central's own entries: they stay on central.
const cityScope = "city"

const stamp = time.RFC3339Nano

var readers = web.Only(auth.Director, auth.DSI)

type handlers struct {
	*feature.Env
	s *Service
}

func routes(env *feature.Env) {
	s := NewService(env.DB, env.Config.Role == config.RoleCentral)
	env.Audit = s
	h := &handlers{Env: env, s: s}
	env.Handle("GET /api/v1/audit", readers, h.apiList)
	env.Handle("GET "+Path, readers, h.page)
}

// Record implements feature.Auditor for a web request.
func (s *Service) Record(r *http.Request, action, target string) error {
	return s.write(r.Context(), web.CurrentUser(r), action, target, web.ClientIP(r))
}

// RecordConsole implements feature.Auditor for a command.
func (s *Service) RecordConsole(ctx context.Context, actor auth.User, action, target string) error {
	return s.write(ctx, actor, action, target, Console)
}

// known reports whether action is one of Actions.
func known(action string) bool { return slices.Contains(Actions, action) }
