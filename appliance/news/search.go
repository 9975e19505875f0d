package news

import (
	"context"

	"preau/appliance/feature"
)

// searchSource: the news, found by their title and text, for their
// audience.
var searchSource = feature.SearchSource{Kind: "news", Icon: "journal", Table: "news",
	Entries: func(env *feature.Env, ctx context.Context, ids []string) ([]feature.SearchEntry, error) {
		return searchEntries(ctx, env.DB, ids)
	}}
