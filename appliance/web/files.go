package web

import (
	"mime"
	"net/http"
	"path"
	"strings"
)

// Files people sent (a document, a photo, a forum's attachment, a mail's)
// are served through FileHeaders only: one list of what a browser may
// show inside Préau's origin, so that no feature serves an HTML page, an
// SVG or a script someone uploaded as one of Préau's.

// inlineTypes are the types a browser shows without running anything of
// the file's: pictures, sounds, videos, PDF, plain text (nosniff keeps it
// text). Not SVG, HTML, XML, JavaScript or CSS: they would run in, or
// restyle, Préau's origin.
var inlineTypes = map[string]bool{"application/pdf": true, "image/png": true, "image/jpeg": true, "image/gif": true,
	"image/webp": true, "image/bmp": true, "audio/mpeg": true, "audio/wave": true, "audio/wav": true, "audio/ogg": true,
	"video/mp4": true, "video/webm": true, "video/ogg": true, "text/plain": true}

// activeNames are the extensions of files a browser runs or renders as a
// page, whatever their content looked like: a download whatever its type.
var activeNames = map[string]bool{".html": true, ".htm": true, ".xhtml": true, ".shtml": true, ".svg": true, ".svgz": true,
	".xml": true, ".xsl": true, ".xslt": true, ".js": true, ".mjs": true, ".css": true}

// Inline reports whether a file named name, of type ctype, may be shown in
// the browser rather than downloaded.
func Inline(name, ctype string) bool {
	mt, _, _ := mime.ParseMediaType(ctype)
	return inlineTypes[mt] && !activeNames[strings.ToLower(path.Ext(name))]
}

// FileHeaders sets the type and disposition of a file people sent: shown
// in the page when Inline allows and download is false, with its own type
// and nothing else of what was declared; otherwise saved, as
// application/octet-stream, under its name.
func FileHeaders(w http.ResponseWriter, name, ctype string, download bool) {
	disposition := "attachment"
	if !download && Inline(name, ctype) {
		disposition = "inline"
		ctype, _, _ = mime.ParseMediaType(ctype)
	} else {
		ctype = "application/octet-stream"
	}
	w.Header().Set("Content-Type", ctype)
	if name == "" {
		w.Header().Set("Content-Disposition", disposition)
		return
	}
	w.Header().Set("Content-Disposition", mime.FormatMediaType(disposition, map[string]string{"filename": name}))
}
