// Package roster is the school's register of people: classes, accounts,
// CSV import of pupils and parents with a preview, printable first-login
// credentials, and the users API.
//
// It imports auth and web; no other feature.
package roster

import "preau/appliance/web"

// Register wires the roster routes.
func Register(s *web.Server) {
}
