package classroom

import (
	"net/url"
	"strings"
)

// cardURL is the address a login card opens; appliance/signin serves it.
func cardURL(base, secret string) string {
	return strings.TrimRight(base, "/") + "/carte/" + url.PathEscape(secret)
}
