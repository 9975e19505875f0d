// Package ui embeds the HTML templates: ui/layout holds the page frame shared
// by every profile, and each feature has its own folder.
package ui

import "embed"

// FS holds every template, which web.New parses, and the message
// catalogue (locales/<area>.<lang>.toml), which package i18n reads.
//
//go:embed *.html */*.html locales/*.toml
var FS embed.FS
