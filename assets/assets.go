// Package assets embeds the static files served under /assets/: the style
// sheet, icons, the picture-password pictures and the small JS bundle.
// Sources of anything built live under assets/src.
package assets

import "embed"

// FS holds the static files.
//
//go:embed css icons pictures js
var FS embed.FS
