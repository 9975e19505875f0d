package loadtest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// The IMAP load: mail clients, one connection per teacher, each doing what
// a mail client does all day, against any IMAP server (Préau's, and
// Dovecot as the reference). Seeding goes through the same client and
// APPEND for every server, so that each holds the same messages, put there
// the same way.

// IMAPUser is an account a mail client logs in as.
type IMAPUser struct{ Login, Password string }

// IMAPGreets checks that a server on addr greets an IMAP client within d:
// a listener that accepts connections and says nothing is not an IMAP
// server yet.
func IMAPGreets(addr string, d time.Duration) error {
	conn, err := net.DialTimeout("tcp", addr, d)
	if err != nil {
		return err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(d))
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return fmt.Errorf("no greeting within %s: %w", d, err)
	}
	if !strings.HasPrefix(line, "* OK") && !strings.HasPrefix(line, "* PREAUTH") {
		return fmt.Errorf("greeting %q, want * OK", strings.TrimSpace(line))
	}
	return nil
}

// imapLogin connects to addr and logs in as u.
func imapLogin(addr string, u IMAPUser) (*imapclient.Client, error) {
	c, err := imapclient.DialInsecure(addr, nil)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", addr, err)
	}
	if err := c.Login(u.Login, u.Password).Wait(); err != nil {
		c.Close()
		return nil, fmt.Errorf("LOGIN %s: %w", u.Login, err)
	}
	return c, nil
}

// forEach runs f for 0…n-1 on at most workers goroutines and returns the
// first error.
func forEach(ctx context.Context, n, workers int, f func(i int) error) error {
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
		next  = make(chan int)
	)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := f(i); err != nil {
					mu.Lock()
					first = firstOf(first, err)
					mu.Unlock()
				}
			}
		}()
	}
	for i := range n {
		mu.Lock()
		stop := first != nil
		mu.Unlock()
		if stop || ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	if first == nil {
		first = ctx.Err()
	}
	return first
}

func firstOf(first, err error) error {
	if first != nil {
		return first
	}
	return err
}

// imapDialers is how many clients log in, or mailboxes are filled, at
// once: more than the cores, as Dovecot waits for the disk on every APPEND.
const imapDialers = 16

// SeedIMAP fills each user's INBOX on the server at addr with n messages
// of SchoolMail, in order, through APPEND with the date each arrived: all
// read but the newest 30, one in thirty flagged.
func SeedIMAP(ctx context.Context, addr string, users []IMAPUser, n int) error {
	return forEach(ctx, len(users), imapDialers, func(k int) error {
		u := users[k]
		c, err := imapLogin(addr, u)
		if err != nil {
			return err
		}
		defer c.Close()
		r := rand.New(rand.NewPCG(uint64(k), 30))
		for i := range n {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			msg, at := SchoolMail(u.Login, i, n)
			var flags []imap.Flag
			if i < n-30 {
				flags = append(flags, imap.FlagSeen)
			}
			if r.IntN(30) == 0 {
				flags = append(flags, imap.FlagFlagged)
			}
			if err := appendMessage(c, "INBOX", msg, &imap.AppendOptions{Flags: flags, Time: at}); err != nil {
				return fmt.Errorf("%s: message %d: %w", u.Login, i, err)
			}
		}
		return c.Logout().Wait()
	})
}

func appendMessage(c *imapclient.Client, mailbox string, msg []byte, opts *imap.AppendOptions) error {
	cmd := c.Append(mailbox, int64(len(msg)), opts)
	if _, err := cmd.Write(msg); err != nil {
		cmd.Close()
		return fmt.Errorf("APPEND to %s: %w", mailbox, err)
	}
	if err := cmd.Close(); err != nil {
		return fmt.Errorf("APPEND to %s: %w", mailbox, err)
	}
	if _, err := cmd.Wait(); err != nil {
		return fmt.Errorf("APPEND to %s: %w", mailbox, err)
	}
	return nil
}

// IMAPOp is one kind of command of the mix, with its share of it.
type IMAPOp struct {
	Name   string
	Weight int
	run    func(s *imapSession) error
}

// recentRange is how many of the newest messages a client lists when it
// refreshes a folder's view.
const recentRange = 50

// IMAPMix is what the load's clients do, each command drawn at random with
// these weights (out of 100): what a mail client sends while a teacher
// opens the inbox, lists it, reads messages and marks them (as many flag
// changes as messages read, roughly), counts the unread ones, now and then
// looks a word up, and writes.
var IMAPMix = []IMAPOp{
	{"select", 10, func(s *imapSession) error {
		_, err := s.c.Select("INBOX", nil).Wait()
		return err
	}},
	// The newest messages' flags and envelopes: the message list.
	{"fetch_headers", 25, func(s *imapSession) error {
		var set imap.UIDSet
		set.AddRange(s.uids[max(0, len(s.uids)-recentRange)], 0)
		msgs, err := s.c.Fetch(set, &imap.FetchOptions{Flags: true, Envelope: true}).Collect()
		if err == nil && len(msgs) < min(recentRange, len(s.uids)) {
			err = fmt.Errorf("UID FETCH %s (FLAGS ENVELOPE): %d messages, want %d", set, len(msgs), min(recentRange, len(s.uids)))
		}
		return err
	}},
	// A whole message, read without marking it read (the client marks it).
	{"fetch_body", 25, func(s *imapSession) error {
		uid := s.uids[s.r.IntN(len(s.uids))]
		msgs, err := s.c.Fetch(imap.UIDSetNum(uid), &imap.FetchOptions{
			BodySection: []*imap.FetchItemBodySection{{Peek: true}}}).Collect()
		if err == nil && (len(msgs) != 1 || len(msgs[0].BodySection) != 1 || len(msgs[0].BodySection[0].Bytes) == 0) {
			err = fmt.Errorf("UID FETCH %d (BODY.PEEK[]): no body", uid)
		}
		return err
	}},
	{"search_text", 2, func(s *imapSession) error {
		word := searchWords[s.r.IntN(len(searchWords))]
		_, err := s.c.UIDSearch(&imap.SearchCriteria{Text: []string{word}}, nil).Wait()
		return err
	}},
	// Unread messages, or those since a day of the term: a client's
	// unread count and its « last week » view.
	{"search_flags", 8, func(s *imapSession) error {
		c := &imap.SearchCriteria{NotFlag: []imap.Flag{imap.FlagSeen}}
		if s.r.IntN(2) == 0 {
			c = &imap.SearchCriteria{Since: schoolMailStart.Add(time.Duration(s.r.Int64N(int64(schoolMailTerm))))}
		}
		_, err := s.c.UIDSearch(c, nil).Wait()
		return err
	}},
	{"store", 20, func(s *imapSession) error {
		flag, op := imap.FlagSeen, imap.StoreFlagsAdd
		if s.r.IntN(3) == 0 {
			flag = imap.FlagFlagged
		}
		if s.r.IntN(2) == 0 {
			op = imap.StoreFlagsDel
		}
		uid := s.uids[s.r.IntN(len(s.uids))]
		return s.c.Store(imap.UIDSetNum(uid), &imap.StoreFlags{Op: op, Flags: []imap.Flag{flag}}, nil).Close()
	}},
	{"append", 10, func(s *imapSession) error {
		return appendMessage(s.c, "Drafts", Draft(s.login, s.r), &imap.AppendOptions{
			Flags: []imap.Flag{imap.FlagDraft, imap.FlagSeen}, Time: time.Now()})
	}},
}

// imapSession is one client's connection, logged in with INBOX selected.
type imapSession struct {
	c     *imapclient.Client
	login string
	uids  []imap.UID // INBOX's messages, when the session began
	r     *rand.Rand
}

// openSession logs in as u and selects INBOX, which must hold messages.
func openSession(addr string, u IMAPUser, seed uint64) (*imapSession, error) {
	c, err := imapLogin(addr, u)
	if err != nil {
		return nil, err
	}
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		c.Close()
		return nil, fmt.Errorf("%s: SELECT INBOX: %w", u.Login, err)
	}
	found, err := c.UIDSearch(&imap.SearchCriteria{}, nil).Wait()
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("%s: UID SEARCH ALL: %w", u.Login, err)
	}
	s := &imapSession{c: c, login: u.Login, uids: found.AllUIDs(), r: rand.New(rand.NewPCG(seed, 143))}
	if len(s.uids) == 0 {
		c.Close()
		return nil, fmt.Errorf("%s: INBOX is empty: was it seeded?", u.Login)
	}
	slices.Sort(s.uids)
	return s, nil
}

// closed reports whether the connection has ended.
func (s *imapSession) closed() bool {
	select {
	case <-s.c.Closed():
		return true
	default:
		return false
	}
}

// IMAPResult is what an IMAP load run measured.
type IMAPResult struct {
	Clients  int
	Ops      int            // commands begun in the measured window and answered OK
	ByOp     map[string]int // the same, by kind
	Errors   int            // commands answered NO or BAD, or not at all
	FirstErr error          // the first of them, to say what went wrong
	Elapsed  time.Duration  // from the window's start to the last of its answers
	CPU      time.Duration  // the server's CPU time over the same time
	LoadCPU  time.Duration  // this process's, the load generator's
}

// OpsPerCPUSecond is the rate that does not depend on how many cores the
// server had or what else ran: commands per second of the server's CPU.
func (r IMAPResult) OpsPerCPUSecond() float64 { return float64(r.Ops) / r.CPU.Seconds() }

// OpsPerSecond is the commands answered per second of wall time.
func (r IMAPResult) OpsPerSecond() float64 { return float64(r.Ops) / r.Elapsed.Seconds() }

// IMAPLoad logs one client in for each user (INBOX selected), then has
// them all send commands of mix (IMAPMix, or part of it), drawn by their
// weights, back to back for warmup plus d; it counts the commands of the
// last d, and reads the server's CPU time with cpu at that window's two
// ends.
func IMAPLoad(ctx context.Context, addr string, users []IMAPUser, mix []IMAPOp, warmup, d time.Duration, cpu func() (time.Duration, error)) (IMAPResult, error) {
	sessions := make([]*imapSession, len(users))
	err := forEach(ctx, len(users), imapDialers, func(i int) error {
		s, err := openSession(addr, users[i], uint64(i))
		sessions[i] = s
		return err
	})
	defer func() {
		for _, s := range sessions {
			if s != nil {
				s.c.Logout().Wait()
				s.c.Close()
			}
		}
	}()
	if err != nil {
		return IMAPResult{}, err
	}
	total := 0
	for _, op := range mix {
		total += op.Weight
	}
	res := IMAPResult{Clients: len(users), ByOp: make(map[string]int)}
	from := time.Now().Add(warmup)
	until := from.Add(d)
	// The commands counted are those begun in the window; the server's CPU
	// is read when it opens and once the last of them has been answered.
	// Without warm-up none is in flight when it opens, so that even a few
	// slow commands are measured exactly.
	var (
		wg           sync.WaitGroup
		mu           sync.Mutex
		before, self time.Duration
		cpuErr       error
		opened       = make(chan struct{})
	)
	open := func() {
		before, cpuErr = cpu()
		self = SelfCPU()
		close(opened)
	}
	if warmup == 0 {
		open()
	} else {
		go func() {
			time.Sleep(time.Until(from))
			open()
		}()
	}
	for i, s := range sessions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ops := make(map[string]int)
			var bad int
			var firstErr error
			for ctx.Err() == nil {
				began := time.Now()
				if !began.Before(until) {
					break
				}
				op := pickOp(mix, s.r.IntN(total))
				err := op.run(s)
				lost := false
				if err != nil && s.closed() {
					// The server dropped the connection: the error counts,
					// and the client logs in again, as a mail client would;
					// if it cannot, it stops.
					s.c.Close()
					again, rerr := openSession(addr, users[i], uint64(i))
					if lost = rerr != nil; lost {
						err = errors.Join(err, rerr)
					} else {
						s.c = again.c
					}
				}
				if began.Before(from) {
					continue
				}
				if err != nil {
					bad++
					firstErr = firstOf(firstErr, fmt.Errorf("%s, %s: %w", s.login, op.Name, err))
				} else {
					ops[op.Name]++
				}
				if lost {
					break
				}
			}
			mu.Lock()
			defer mu.Unlock()
			for k, n := range ops {
				res.ByOp[k] += n
				res.Ops += n
			}
			res.Errors += bad
			res.FirstErr = firstOf(res.FirstErr, firstErr)
		}()
	}
	wg.Wait()
	<-opened
	after, err := cpu()
	res.Elapsed, res.CPU, res.LoadCPU = time.Since(from), after-before, SelfCPU()-self
	if err = errors.Join(cpuErr, err); err != nil {
		return res, fmt.Errorf("the server's CPU time: %w", err)
	}
	return res, ctx.Err()
}

// pickOp is the command of mix that a draw n in [0, total weight) falls
// on.
func pickOp(mix []IMAPOp, n int) IMAPOp {
	for _, op := range mix {
		if n < op.Weight {
			return op
		}
		n -= op.Weight
	}
	return mix[len(mix)-1]
}

// IdleIMAP opens n connections, spread over users, each logged in with
// INBOX selected and then left alone, as mail clients keep them open all
// day; close closes them.
func IdleIMAP(ctx context.Context, addr string, users []IMAPUser, n int) (close func(), err error) {
	clients := make([]*imapclient.Client, n)
	close = func() {
		for _, c := range clients {
			if c != nil {
				c.Logout().Wait()
				c.Close()
			}
		}
	}
	err = forEach(ctx, n, imapDialers, func(i int) error {
		u := users[i%len(users)]
		c, err := imapLogin(addr, u)
		if err != nil {
			return err
		}
		clients[i] = c
		if _, err := c.Select("INBOX", nil).Wait(); err != nil {
			return fmt.Errorf("%s: SELECT INBOX: %w", u.Login, err)
		}
		return nil
	})
	if err != nil {
		close()
		return nil, err
	}
	return close, nil
}
