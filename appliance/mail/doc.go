// Package mail is Préau's messaging: a mailbox per account in the node's
// store, read and written by the webmail, by IMAP clients (imap.go, on
// github.com/emersion/go-imap/v2's imapserver) and by SMTP submission
// (smtp.go, on github.com/emersion/go-smtp), with the same accounts and
// the same rules of who may write to whom. A message to someone of another
// school is written at once and delivered there by central when the link
// is up (deliver.go).
//
// It imports auth, store, notify, web and feature; no other feature.
package mail
