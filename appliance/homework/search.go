package homework

import (
	"context"

	"preau/appliance/feature"
)

// searchSource: the cahier de textes' entries, found by their title,
// what is to do and what was done; their class reads them.
var searchSource = feature.SearchSource{Kind: "homework", Icon: "agenda", Table: "homework",
	Entries: func(env *feature.Env, ctx context.Context, ids []string) ([]feature.SearchEntry, error) {
		return searchEntries(ctx, env.DB, ids)
	}}
