package mail

import "github.com/emersion/go-sasl"

// The LOGIN mechanism, for the mail clients that offer nothing else
// (older Outlook, some phones and printers). go-sasl has its client only:
// the draft (draft-murchison-sasl-login) asks the username, then the
// password, each as a challenge; a client may send the username as its
// initial response.

var (
	loginUsername = []byte("Username:")
	loginPassword = []byte("Password:")
)

type loginServer struct {
	check    func(username, password string) error
	username string
	step     int
}

// newLoginServer is a SASL LOGIN server that gives the username and
// password to check.
func newLoginServer(check func(username, password string) error) sasl.Server {
	return &loginServer{check: check}
}

func (a *loginServer) Next(response []byte) (challenge []byte, done bool, err error) {
	defer func() { a.step++ }()
	switch a.step {
	case 0:
		if response == nil {
			return loginUsername, false, nil
		}
		a.step++ // the initial response is the username
		fallthrough
	case 1:
		a.username = string(response)
		return loginPassword, false, nil
	case 2:
		return nil, true, a.check(a.username, string(response))
	}
	return nil, false, sasl.ErrUnexpectedClientResponse
}
