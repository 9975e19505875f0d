package web

import (
	"encoding/base64"
	"fmt"
	"html/template"
	"net/http"
	"strings"

	"rsc.io/qr"
)

// BaseURL is the address links made for other devices start with (a login
// card's QR code, a calendar feed): the configured public address when
// there is one, else the address the person is using now, which the
// school's other devices reach too.
func BaseURL(r *http.Request, publicURL string) string {
	if publicURL != "" {
		return strings.TrimRight(publicURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// QRImage encodes text as a PNG QR code inside a data: URI, so a page needs
// no further request (and a secret never reaches a log as an image URL).
// Level M survives a creased, slightly dirty card.
func QRImage(text string) (template.URL, error) {
	code, err := qr.Encode(text, qr.M)
	if err != nil {
		return "", fmt.Errorf("QR code: %w", err)
	}
	// template.URL: html/template would otherwise refuse the data: scheme.
	return template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(code.PNG())), nil
}
