package classroom

import (
	"encoding/base64"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"rsc.io/qr"
)

// baseURL is where a card's QR code sends the pupil: the configured public
// address when there is one, else the address the teacher is using now,
// which classroom tablets on the same LAN reach too.
func baseURL(r *http.Request, publicURL string) string {
	if publicURL != "" {
		return strings.TrimRight(publicURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// cardURL is the address a login card opens; appliance/signin serves it.
func cardURL(base, secret string) string {
	return strings.TrimRight(base, "/") + "/carte/" + url.PathEscape(secret)
}

// qrImage encodes text as a PNG QR code inside a data: URI, so a printed
// page of cards needs no further request (and the secret never reaches a
// log as an image URL). Level M survives a creased, slightly dirty card.
func qrImage(text string) (template.URL, error) {
	code, err := qr.Encode(text, qr.M)
	if err != nil {
		return "", fmt.Errorf("QR code: %w", err)
	}
	// template.URL: html/template would otherwise refuse the data: scheme.
	return template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(code.PNG())), nil
}
