// Package browser drives a headless Chromium against a test appliance, for
// the browser tests and the screenshot tool. It is test support: only
// _test.go files import it.
//
// Chromium runs with a fixed set of flags, a fresh profile and a proxy that
// points at a closed loopback port: pages on 127.0.0.1 load directly and
// nothing leaves the machine. Every browser lives under a deadline, so a
// hung page fails the test instead of hanging it.
//
// It imports no part of Préau.
package browser

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// RequiredEnv, set to "required", turns a missing Chromium into a failure;
// CI sets it so that browser tests can never be skipped silently there.
const RequiredEnv = "PREAU_BROWSER_TESTS"

// DefaultTimeout bounds a whole browser test: the browser dies with it.
const DefaultTimeout = 60 * time.Second

// actionTimeout bounds one step, so a missing element fails in seconds with
// a message naming it rather than at the end of the test's deadline.
const actionTimeout = 10 * time.Second

// flags are Chromium's command-line switches, exactly: headless, no network
// feature of its own, every non-loopback request sent to a closed port.
var flags = []chromedp.ExecAllocatorOption{
	chromedp.Flag("headless", true),
	chromedp.Flag("no-sandbox", true),
	chromedp.Flag("disable-gpu", true),
	chromedp.Flag("disable-quic", true),
	chromedp.Flag("no-first-run", true),
	chromedp.Flag("disable-background-networking", true),
	chromedp.Flag("disable-component-update", true),
	chromedp.Flag("disable-sync", true),
	chromedp.Flag("proxy-server", "http://127.0.0.1:9"),
}

// Viewport is a window size; Mobile makes Chromium honour the page's
// meta viewport as a phone does.
type Viewport struct {
	Name          string
	Width, Height int64
	Mobile        bool
}

// The sizes every page must work at: a desktop, a laptop, a phone.
var (
	Desktop = Viewport{Name: "bureau", Width: 1366, Height: 900}
	Laptop  = Viewport{Name: "portable", Width: 1280, Height: 800}
	Phone   = Viewport{Name: "telephone", Width: 390, Height: 844, Mobile: true}
)

// Find returns the Chromium binary, or "" when none is installed.
func Find() string {
	for _, name := range []string{"chromium", "chromium-browser", "/usr/bin/chromium"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

var skipNotice sync.Once

// requireChromium finds Chromium or ends the test: a failure when browser
// tests are required, otherwise a skip that is printed even without -v.
func requireChromium(t testing.TB) string {
	t.Helper()
	if p := Find(); p != "" {
		return p
	}
	const msg = "BROWSER TESTS SKIPPED: chromium not found — install Debian's chromium (apt-get install chromium)"
	if os.Getenv(RequiredEnv) == "required" {
		t.Fatalf("%s, and %s=required", strings.Replace(msg, "SKIPPED", "FAILED", 1), RequiredEnv)
	}
	skipNotice.Do(func() {
		bar := strings.Repeat("#", 100)
		fmt.Fprintf(os.Stderr, "\n%s\n## %s\n%s\n\n", bar, msg, bar)
	})
	t.Skip(msg)
	return ""
}

// Browser is one Chromium process with its own temporary profile.
type Browser struct {
	ctx context.Context
}

// Start launches Chromium for the test; it is killed when the test ends or
// when timeout passes, whichever comes first.
func Start(t testing.TB, timeout time.Duration) *Browser {
	t.Helper()
	bin := requireChromium(t)
	profile := t.TempDir()
	deadline, cancelDeadline := context.WithTimeout(context.Background(), timeout)
	opts := append([]chromedp.ExecAllocatorOption{chromedp.ExecPath(bin), chromedp.UserDataDir(filepath.Join(profile, "profile"))}, flags...)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(deadline, opts...)
	ctx, cancelBrowser := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancelBrowser()
		cancelAlloc()
		cancelDeadline()
	})
	// The first run starts the browser and binds its life to ctx.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium %s: %v", bin, err)
	}
	return &Browser{ctx: ctx}
}

// Tab opens a tab in a fresh browser context (its own cookies) on the
// appliance at baseURL, sized to vp.
func (b *Browser) Tab(t testing.TB, baseURL string, vp Viewport) *Tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	// The first run opens the tab and binds its life to ctx, not to the
	// short deadline of a step.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("open a tab: %v", err)
	}
	tab := &Tab{t: t, ctx: ctx, base: strings.TrimSuffix(baseURL, "/")}
	tab.Resize(vp)
	// Headless Chromium asks for English; the stories are written for a
	// French school's browser. A test that wants another calls
	// AcceptLanguage.
	tab.AcceptLanguage("fr-FR,fr;q=0.9")
	// Screenshots show the page at the viewport's width, without the
	// scroll bar a long page would add.
	tab.do("hide scroll bars", chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetScrollbarsHidden, emulation.SetScrollbarsHiddenParams{Hidden: true})
		return err
	}))
	return tab
}

// Tab is one page being driven; its methods fail the test on error.
type Tab struct {
	t        testing.TB
	ctx      context.Context
	base     string
	Viewport Viewport
}

// step runs one action under actionTimeout.
func step[T any](tab *Tab, what string, a chromedp.Action[T]) T {
	tab.t.Helper()
	return stepWithin(tab, what, actionTimeout, a)
}

// stepWithin runs one action that may take longer than a step.
func stepWithin[T any](tab *Tab, what string, timeout time.Duration, a chromedp.Action[T]) T {
	tab.t.Helper()
	ctx, cancel := context.WithTimeout(tab.ctx, timeout)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			err = fmt.Errorf("nothing happened within %v: %w", timeout, err)
		}
		tab.t.Fatalf("%s (on %s): %v", what, tab.location(), err)
	}
	return v
}

func (tab *Tab) do(what string, a chromedp.Action[chromedp.Void]) {
	tab.t.Helper()
	step(tab, what, a)
}

// location is the current URL for error messages; it never fails the test.
func (tab *Tab) location() string {
	ctx, cancel := context.WithTimeout(tab.ctx, time.Second)
	defer cancel()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		return "?"
	}
	return strings.TrimPrefix(loc, tab.base)
}

// Open loads a path of the appliance and returns the HTTP status of the
// page finally shown (after redirects).
func (tab *Tab) Open(path string) int64 {
	tab.t.Helper()
	resp := step(tab, "open "+path, chromedp.NavigateResponse(tab.base+path))
	return status(resp)
}

func status(resp *network.Response) int64 {
	if resp == nil {
		return 0
	}
	return resp.Status
}

// Path is the current page's path and query.
func (tab *Tab) Path() string {
	tab.t.Helper()
	return strings.TrimPrefix(step(tab, "read location", chromedp.Location()), tab.base)
}

// Type types text into the field matching the CSS selector, key by key, as
// a person would.
func (tab *Tab) Type(sel, text string) {
	tab.t.Helper()
	tab.do(fmt.Sprintf("type into %s", sel), chromedp.SendKeys(chromedp.CSS(sel), text, chromedp.NodeVisible))
}

// SetFiles chooses files for the file input matching the CSS selector, as
// a person does in the file picker (the input's change event follows).
func (tab *Tab) SetFiles(sel string, paths ...string) {
	tab.t.Helper()
	tab.do("choose files for "+sel, chromedp.SetUploadFiles(chromedp.CSS(sel), paths))
}

// Click clicks the element matching the CSS selector and waits for the page
// it leads to; it returns that page's HTTP status.
func (tab *Tab) Click(sel string) int64 {
	tab.t.Helper()
	tab.mustExist(sel)
	ctx, cancel := context.WithTimeout(tab.ctx, actionTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
	if err != nil {
		tab.t.Fatalf("click %s (on %s): %v", sel, tab.location(), err)
	}
	return status(resp)
}

// ClickText clicks the element with this tag that reads text (spaces
// normalised; decorations marked aria-hidden, such as initials in an
// avatar, do not count), as a person picks a name in a list, and waits for
// the page it leads to.
func (tab *Tab) ClickText(tag, text string) int64 {
	tab.t.Helper()
	if strings.ContainsAny(text, `"`) || strings.ContainsAny(tag, `"[]/`) {
		tab.t.Fatalf("ClickText(%q, %q): quotes and brackets are not supported", tag, text)
	}
	xpath := fmt.Sprintf(`//%s[normalize-space(.)="%s" or .//*[not(@aria-hidden)][normalize-space(.)="%s"]]`, tag, text, text)
	n := Eval[int](tab, fmt.Sprintf(`document.evaluate(%q, document, null, XPathResult.ORDERED_NODE_SNAPSHOT_TYPE, null).snapshotLength`, xpath))
	if n != 1 {
		tab.t.Fatalf("%d elements <%s> reading %q on %s, want 1", n, tag, text, tab.location())
	}
	ctx, cancel := context.WithTimeout(tab.ctx, actionTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.Search(xpath), chromedp.NodeVisible))
	if err != nil {
		tab.t.Fatalf("click <%s> %q (on %s): %v", tag, text, tab.location(), err)
	}
	return status(resp)
}

// mustExist fails at once when nothing matches sel, instead of letting a
// query wait for an element that will never come.
func (tab *Tab) mustExist(sel string) {
	tab.t.Helper()
	if tab.Doc().Find(sel).Length() == 0 {
		tab.t.Fatalf("no element %q on %s", sel, tab.location())
	}
}

// Doc is the current DOM, parsed for goquery.
func (tab *Tab) Doc() *goquery.Document {
	tab.t.Helper()
	// Read through JavaScript rather than a DOM node id, which a page just
	// replaced may have invalidated.
	html := step(tab, "read the page", chromedp.Evaluate[string](`document.documentElement.outerHTML`))
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(html))
	if err != nil {
		tab.t.Fatalf("parse page: %v", err)
	}
	return doc
}

// Eval evaluates a JavaScript expression in the page.
func Eval[T any](tab *Tab, expr string) T {
	tab.t.Helper()
	return step(tab, "evaluate "+expr, chromedp.Evaluate[T](expr))
}

// Overflow is how many CSS pixels the page is wider than the window: more
// than zero means a sideways scroll bar, which phones must never show.
func (tab *Tab) Overflow() int {
	tab.t.Helper()
	return Eval[int](tab, `Math.max(document.documentElement.scrollWidth, document.body.scrollWidth) - Math.min(window.innerWidth, document.documentElement.clientWidth)`)
}

// Screenshot writes a PNG of the whole page to file. A page no taller
// than the window is captured as the window shows it: Chromium's capture
// beyond the window draws a short right-to-left page shifted sideways.
func (tab *Tab) Screenshot(file string) {
	tab.t.Helper()
	capture := chromedp.FullScreenshot(100)
	if Eval[bool](tab, `document.documentElement.scrollHeight <= window.innerHeight`) {
		capture = chromedp.CaptureScreenshot()
	}
	png := step(tab, "screenshot", capture)
	if err := os.WriteFile(file, png, 0o644); err != nil {
		tab.t.Fatal(err)
	}
}

// AcceptLanguage makes the tab's requests ask for lang first, as a browser
// set to that language does (Accept-Language).
func (tab *Tab) AcceptLanguage(lang string) {
	tab.t.Helper()
	tab.do("accept "+lang, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		if _, err := cdp.Call(ctx, t, network.Enable, network.EnableParams{}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, t, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{
			Headers: network.Headers{"Accept-Language": lang}})
		return err
	}))
}

// EvalAwait evaluates a JavaScript expression whose value is a promise,
// and returns what the promise resolves to. It may work for a while
// (axe-core through a long page on a busy machine): a minute, not a step.
func EvalAwait[T any](tab *Tab, what, expr string) T {
	tab.t.Helper()
	return stepWithin(tab, what, time.Minute, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
}

// Resize sets the tab to another window size without reloading the page,
// as a phone turned or a window dragged: the page lays itself out again.
func (tab *Tab) Resize(vp Viewport) {
	tab.t.Helper()
	var emulate []chromedp.EmulateViewportOption
	if vp.Mobile {
		emulate = append(emulate, chromedp.EmulateMobile, chromedp.EmulatePortrait, chromedp.EmulateTouch)
	}
	tab.do("set viewport "+vp.Name, chromedp.EmulateViewport(vp.Width, vp.Height, emulate...))
	tab.Viewport = vp
}

// Press sends one key as the keyboard does (kb.Tab, kb.Enter…): real key
// events, so the page's :focus-visible and key handlers see a person.
func (tab *Tab) Press(key string) {
	tab.t.Helper()
	tab.do("press a key", chromedp.KeyEvent(key))
}

// OnEveryPage runs script in every page the tab loads from now on, before
// the page's own: a test's tool (axe-core) loaded once rather than sent
// again with each page. It goes through the DevTools protocol, which the
// pages' Content-Security-Policy does not govern.
func (tab *Tab) OnEveryPage(script string) {
	tab.t.Helper()
	tab.do("add a script to every page", chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: script})
		return err
	}))
}
