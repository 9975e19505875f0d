package sync

import "preau/appliance/i18n"

// problem is an error of sync said in the reader's language: the DSI's or
// the director's on the status pages and in the API, the language of the
// node that records it (Client.Lang, Central.Lang) in the stored last
// error. causes keep errors.Is true for the sentinels it carries.
type problem struct {
	msg    i18n.Message
	causes []error
}

func newProblem(key string, causes []error, args ...any) error {
	return &problem{msg: i18n.M(key, args...), causes: causes}
}

func (p *problem) Error() string                  { return p.msg.String() }
func (p *problem) Localize(lang i18n.Lang) string { return p.msg.In(lang) }
func (p *problem) Unwrap() []error                { return p.causes }
