package mail

import (
	"context"
	"strings"

	"preau/appliance/feature"
	"preau/appliance/store"
)

// searchSource: each person's copies, found by their subject, their
// people and their text; only their owner finds them. The webmail's
// search asks the same index for this kind only.
var searchSource = feature.SearchSource{Kind: "mail", Icon: "courrier", Table: "mail_copies",
	Entries: func(env *feature.Env, ctx context.Context, ids []string) ([]feature.SearchEntry, error) {
		list, args := store.In(ids)
		return store.Query(ctx, env.DB.Reader(), func(r store.Scanner) (feature.SearchEntry, error) {
			var e feature.SearchEntry
			var owner, from, to, text string
			err := r.Scan(&e.ID, &owner, &e.Title, &from, &to, &text)
			e.Body = strings.Join([]string{from, to, text}, "\n")
			e.URL = Path + "/" + e.ID
			e.Audiences = []string{feature.PersonAudience(owner)}
			return e, err
		}, `SELECT c.id, c.owner_id, m.subject, m.from_addr, m.to_addrs, m.body_text FROM mail_copies c
			JOIN mail_messages m ON m.id = c.message_id WHERE c.deleted = 0 AND m.deleted = 0 AND c.id IN (`+list+")", args...)
	}}
