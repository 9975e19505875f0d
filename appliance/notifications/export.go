package notifications

import (
	"context"
	"time"

	"preau/appliance/auth"
	"preau/appliance/feature"
)

// everything is more notifications than a person keeps: their export
// lists them all.
const everything = 1 << 30

// personalExport is the notifications' part of a person's export: what
// they were told, as they read it (in their language), and whether they
// read it.
func personalExport(env *feature.Env, ctx context.Context, u auth.User, x feature.Export) error {
	items, err := env.Notify.List(ctx, u.ID, everything)
	if err != nil || len(items) == 0 {
		return err
	}
	type notification struct {
		ID      string    `json:"id"`
		Kind    string    `json:"kind"`
		Title   string    `json:"title"`
		URL     string    `json:"url"`
		Read    bool      `json:"read"`
		Created time.Time `json:"created_at"`
	}
	lang := env.LanguageOf(u)
	out := make([]notification, len(items))
	for i, it := range items {
		out[i] = notification{ID: it.ID, Kind: it.Kind, Title: it.Title.In(lang), URL: it.URL, Read: it.Read, Created: it.Created}
	}
	return x.Part("notifications", out)
}
