package liaison

import (
	"context"

	"preau/appliance/feature"
)

// searchSource: the carnet's notes, found by their title and text; the
// families of the pupils each is about read it, and the class's staff.
var searchSource = feature.SearchSource{Kind: "liaison", Icon: "carnet", Table: "liaison_notes",
	Entries: func(env *feature.Env, ctx context.Context, ids []string) ([]feature.SearchEntry, error) {
		return searchEntries(ctx, env.DB, ids)
	}}
