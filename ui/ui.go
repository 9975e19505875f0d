// Package ui embeds the HTML templates: ui/layout holds the page frame shared
// by every profile, and each feature has its own folder.
package ui

import "embed"

// FS holds every template; web.New parses the .html files.
//
//go:embed *.html */*.html
var FS embed.FS
