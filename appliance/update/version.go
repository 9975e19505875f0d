package update

import (
	"strconv"
	"strings"
)

// Releases are numbered MAJOR.MINOR.PATCH (digits, dots): the version a
// binary is built with (-X preau/appliance.Version=1.4.0) and the one its
// bundle names. A development build ("dev") is older than any release.

// validVersion reports whether v is a release number.
func validVersion(v string) bool {
	parts := strings.Split(v, ".")
	if len(parts) < 1 || len(parts) > 4 || len(v) > 40 {
		return false
	}
	for _, p := range parts {
		if _, err := strconv.ParseUint(p, 10, 32); err != nil {
			return false
		}
	}
	return true
}

// Compare orders two versions: -1, 0 or 1; what is not a release number
// comes before every release.
func Compare(a, b string) int {
	va, vb := validVersion(a), validVersion(b)
	switch {
	case !va && !vb:
		return 0
	case !va:
		return -1
	case !vb:
		return 1
	}
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := range max(len(pa), len(pb)) {
		var x, y uint64
		if i < len(pa) {
			x, _ = strconv.ParseUint(pa[i], 10, 32)
		}
		if i < len(pb) {
			y, _ = strconv.ParseUint(pb[i], 10, 32)
		}
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	return 0
}
