package agenda

import (
	"context"

	"preau/appliance/feature"
)

// searchSource: the agenda's events, found by their title, place and
// description, for their calendar's readers.
var searchSource = feature.SearchSource{Kind: "agenda", Icon: "calendrier", Table: "events",
	Entries: func(env *feature.Env, ctx context.Context, ids []string) ([]feature.SearchEntry, error) {
		return searchEntries(ctx, env.DB, ids)
	}}
