package ui_test

// Tests in a real headless Chromium, driven with chromedp, against a real
// connectmail server (SQLite store, delivery worker, real SMTP receiver) that
// is fed through the AWS SDK for Go.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/smtp"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	"github.com/aws/aws-sdk-go-v2/service/connect/types"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	cmconnect "github.com/connectmail/connectmail/connect"
	"github.com/connectmail/connectmail/render"
	"github.com/connectmail/connectmail/server"
	"github.com/connectmail/connectmail/server/servertest"
	"github.com/connectmail/connectmail/smtpsink"
	"github.com/connectmail/connectmail/sqlite"
	"github.com/connectmail/connectmail/template"
)

// chromium finds the browser, or skips the test saying how to get it.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("chromium is not installed (apt-get install -y chromium, or run scripts/test.sh, which installs it): skipping the browser test")
	return ""
}

// browser is one headless Chromium with a fresh profile and one tab.
type browser struct {
	t   *testing.T
	ctx context.Context
	// dialogs counts JavaScript dialogs (alert, confirm...) that opened;
	// they are accepted when accept is set, else dismissed.
	dialogs atomic.Int32
	accept  atomic.Bool
	// width is the viewport width in CSS pixels (0: the window's, 1280).
	width int64
}

// windowWidth and windowHeight are the browser window's size.
const windowWidth, windowHeight = 1280, 900

func newBrowser(t *testing.T, extra ...chromedp.ExecAllocatorOption) *browser {
	t.Helper()
	path := chromium(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.NoFirstRun,
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(windowWidth, windowHeight))
	opts = append(opts, extra...)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelTab(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting %s: %v", path, err)
	}
	b := &browser{t: t, ctx: ctx}
	dialogs := chromedp.Events(ctx, page.JavascriptDialogOpening)
	go func() {
		for ev, err := range dialogs {
			if err != nil {
				return
			}
			b.dialogs.Add(1)
			t.Logf("dialog opened: %q", ev.Message)
			_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: b.accept.Load()})
		}
	}()
	return b
}

// newTab opens another tab of the same browser (same profile, same
// origin's shared workers); close closes it.
func (b *browser) newTab() (tab *browser, close func()) {
	b.t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx)
	if err := chromedp.Do(ctx); err != nil {
		b.t.Fatalf("opening a tab: %v", err)
	}
	return &browser{t: b.t, ctx: ctx, width: b.width}, cancel
}

// viewport makes the page width x height CSS pixels wide, as a phone would.
func (b *browser) viewport(width, height int64) {
	b.t.Helper()
	b.width = width
	b.do("set the viewport", chromedp.EmulateViewport(width, height))
}

// do runs actions with a time limit.
func (b *browser) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.shot("failure")
		b.t.Fatalf("%s: %v", what, err)
	}
}

// eval evaluates a JavaScript expression in the page.
func eval[T any](b *browser, expr string) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		b.t.Fatalf("evaluating %s: %v", expr, err)
	}
	return v
}

// waitJS waits until a JavaScript expression is true.
func (b *browser) waitJS(what, expr string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingInterval(50*time.Millisecond))); err != nil {
		b.shot("failure")
		b.t.Fatalf("waiting for %s (%s): %v", what, expr, err)
	}
}

// docsScreenshot tells the shots the README shows (docs/screenshot-<name>.png).
func docsScreenshot(name string) bool {
	switch name {
	case "contacts", "contact", "template", "contacts-narrow", "contact-narrow":
		return true
	}
	return false
}

// shot saves a full-page PNG screenshot as a test artifact: in
// $CONNECTMAIL_TEST_ARTIFACTS when set, else in the test's temporary
// directory; with UPDATE_SCREENSHOTS=1 the ones the README shows also go to
// docs/screenshot-<name>.png.
func (b *browser) shot(name string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	// Make the viewport as tall as the page, so the out-of-process preview
	// frames are painted, then capture it as PNG.
	height, err := chromedp.Run(ctx, chromedp.Evaluate[int64](`window.scrollTo(0, 0); Math.ceil(document.documentElement.scrollHeight)`))
	if err != nil {
		b.t.Errorf("screenshot %s: %v", name, err)
		return
	}
	width := b.width
	if width == 0 {
		width = windowWidth
	}
	png, err := chromedp.Run(ctx, func(ctx context.Context, tg *chromedp.Target) ([]byte, error) {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, height), chromedp.Sleep(400*time.Millisecond)); err != nil {
			return nil, err
		}
		defer func() {
			if b.width != 0 {
				_ = chromedp.Do(ctx, chromedp.EmulateViewport(b.width, windowHeight))
			} else {
				_ = chromedp.Do(ctx, chromedp.ResetViewport())
			}
		}()
		return chromedp.CaptureScreenshot()(ctx, tg)
	})
	if err != nil {
		b.t.Errorf("screenshot %s: %v", name, err)
		return
	}
	dir := os.Getenv("CONNECTMAIL_TEST_ARTIFACTS")
	if dir == "" {
		dir = b.t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.t.Fatal(err)
	}
	file := filepath.Join(dir, strings.ReplaceAll(b.t.Name(), "/", "_")+"-"+name+".png")
	if err := os.WriteFile(file, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.t.Logf("screenshot %s", file)
	if docsScreenshot(name) && os.Getenv("UPDATE_SCREENSHOTS") == "1" {
		if err := os.MkdirAll(filepath.Join("..", "docs"), 0o755); err != nil {
			b.t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join("..", "docs", "screenshot-"+name+".png"), png, 0o644); err != nil {
			b.t.Fatal(err)
		}
	}
}

// frameText evaluates expr in the iframe whose URL contains part;
// Chromium runs sandboxed frames as their own targets.
func (b *browser) frameText(part, expr string) string {
	b.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		infos, err := chromedp.Targets(b.ctx)
		if err != nil {
			b.t.Fatal(err)
		}
		for _, info := range infos {
			if info.Type != "iframe" || !strings.Contains(info.URL, part) {
				continue
			}
			fctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithTargetID(info.TargetID), chromedp.WithDetachOnCancel())
			tctx, cancel2 := context.WithTimeout(fctx, 10*time.Second)
			v, err := chromedp.Run(tctx, chromedp.Evaluate[string](expr))
			cancel2()
			cancel()
			if err == nil {
				return v
			}
			b.t.Logf("reading frame %s: %v", info.URL, err)
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("no frame with %q among %d targets", part, len(infos))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// harness is a real connectmail server with a real SMTP receiver.
type harness struct {
	t      *testing.T
	url    string
	srv    *servertest.Server
	client *connect.Client
	sink   *smtpsink.Sink
}

func startServer(t *testing.T, mutate func(*server.Config)) *harness {
	t.Helper()
	cfg, sink := servertest.Relaying(t)
	if mutate != nil {
		mutate(&cfg)
	}
	srv := servertest.Start(t, cfg)
	h := &harness{t: t, url: srv.URL, srv: srv, sink: sink}
	h.client = servertest.Client(h.url)
	return h
}

func (h *harness) setup(ctx context.Context) string {
	h.t.Helper()
	inst, err := h.client.CreateInstance(ctx, &connect.CreateInstanceInput{
		IdentityManagementType: types.DirectoryTypeConnectManaged,
		InboundCallsEnabled:    aws.Bool(true), OutboundCallsEnabled: aws.Bool(true),
		InstanceAlias: aws.String(fmt.Sprintf("ui%d", time.Now().UnixNano())),
	})
	if err != nil {
		h.t.Fatal(err)
	}
	if _, err := h.client.CreateEmailAddress(ctx, &connect.CreateEmailAddressInput{
		InstanceId: inst.Id, EmailAddress: aws.String("support@example.com"), DisplayName: aws.String("Acme Support"),
	}); err != nil {
		h.t.Fatal(err)
	}
	return *inst.Id
}

func (h *harness) send(ctx context.Context, instanceID, to, subject, html string) string {
	h.t.Helper()
	c, err := h.client.CreateContact(ctx, &connect.CreateContactInput{
		InstanceId: aws.String(instanceID), Channel: types.ChannelEmail,
		InitiationMethod: types.ContactInitiationMethodOutbound, UserInfo: &types.UserInfo{UserId: aws.String("agent-1")},
	})
	if err != nil {
		h.t.Fatal(err)
	}
	if _, err := h.client.StartOutboundEmailContact(ctx, &connect.StartOutboundEmailContactInput{
		InstanceId: aws.String(instanceID), ContactId: c.ContactId,
		FromEmailAddress:        &types.EmailAddressInfo{EmailAddress: aws.String("support@example.com")},
		DestinationEmailAddress: &types.EmailAddressInfo{EmailAddress: aws.String(to), DisplayName: aws.String("Ana Cliente")},
		EmailMessage: &types.OutboundEmailContent{
			MessageSourceType: types.OutboundMessageSourceTypeRaw,
			RawMessage:        &types.OutboundRawMessage{Subject: aws.String(subject), ContentType: aws.String("text/html"), Body: aws.String(html)},
		},
	}); err != nil {
		h.t.Fatal(err)
	}
	return *c.ContactId
}

// receive has a customer mail raw (CRLF lines) to rcpt over the server's
// inbound SMTP listener (Config.SMTPAddr must be set), and returns the
// contact it became.
func (h *harness) receive(from, rcpt, raw string) string {
	h.t.Helper()
	if err := smtp.SendMail(h.srv.SMTPAddr(), nil, from, []string{rcpt}, []byte(raw)); err != nil {
		h.t.Fatal(err)
	}
	var list struct {
		Messages []struct{ ContactID, InitiationMethod string } `json:"messages"`
	}
	resp, err := http.Get(h.url + "/api/v1/messages?limit=1")
	if err != nil {
		h.t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(body(h.t, resp)), &list); err != nil || len(list.Messages) != 1 || list.Messages[0].InitiationMethod != "INBOUND" {
		h.t.Fatalf("the newest contact after receiving: %+v (%v)", list.Messages, err)
	}
	return list.Messages[0].ContactID
}

// pixelServer stands in for a remote image host and counts its requests.
func pixelServer(t *testing.T) (string, *atomic.Int32) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "image/gif")
		_, _ = w.Write([]byte("GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"))
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/pixel.gif", &hits
}

const cspWatch = `window.__csp = []; document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI)); true`

func TestBrowserContactLiveAndDetail(t *testing.T) {
	h := startServer(t, nil)
	b := newBrowser(t) // closed before the server, so its event stream does not hold the shutdown
	ctx := context.Background()
	inst := h.setup(ctx)
	pixel, hits := pixelServer(t)
	// Some history: two delivered contacts and one bounce.
	h.sink.Reject("gone@example.net", 550, "5.1.1 no such user")
	h.send(ctx, inst, "maria@example.org", "Welcome to Acme", "<p>Welcome, Maria!</p>")
	bounced := h.send(ctx, inst, "gone@example.net", "Your invoice INV-7", "<p>Invoice attached.</p>")
	h.send(ctx, inst, "li@example.org", "Password reset", "<p>Reset your password.</p>")
	h.sinkWait(2)

	b.do("open the contacts page", chromedp.Navigate(h.url+"/ui/"),
		chromedp.WaitVisible(chromedp.CSS("#contacts")), chromedp.WaitVisible(chromedp.CSS("#list-status")))
	b.waitJS("the live stream", `document.documentElement.dataset.live === 'up'`)
	b.waitJS("the bounce", `document.querySelector('#contacts tr[data-id="`+bounced+`"][data-state="FAILED"]') !== null`)
	if n := eval[int](b, `document.querySelectorAll('#contacts tbody tr').length`); n != 3 {
		t.Fatalf("%d rows, want 3", n)
	}
	// A marker that a reload would wipe out, and a watch for CSP violations in the UI itself.
	eval[bool](b, `window.__noReload = true; `+cspWatch)

	subject := `Your order 42 <b>shipped</b> & "more"`
	html := `<h1 style="color:#2563eb">Hello Ana</h1><p>Your order <b>42</b> shipped.</p>` +
		`<img id="remote" alt="remote" src="` + pixel + `">` +
		`<script>document.title = 'script ran'; parent.document.title = 'pwned';</script>` +
		`<img src="x" onerror="document.title = 'handler ran'; alert('handler ran')">`
	cid := h.send(ctx, inst, "ana@example.org", subject, html)

	// The contact appears in the list without a reload, and its state changes live.
	row := `#contacts tbody tr[data-id="` + cid + `"]`
	b.waitJS("the new row", `document.querySelector('`+row+`') !== null`)
	if first := eval[string](b, `document.querySelector('#contacts tbody tr').dataset.id`); first != cid {
		t.Errorf("the new contact is not first: %s", first)
	}
	h.sinkWait(3)
	b.waitJS("the row to become SENT", `document.querySelector('`+row+`').dataset.state === 'SENT'`)
	if !eval[bool](b, `window.__noReload === true`) {
		t.Fatal("the page reloaded")
	}
	if got := eval[string](b, `document.querySelector('`+row+` td.subject a').textContent`); got != subject {
		t.Errorf("subject cell = %q, want the literal %q", got, subject)
	}
	if n := eval[int](b, `document.querySelectorAll('`+row+` b').length`); n != 0 {
		t.Errorf("the subject's markup became %d elements", n)
	}
	b.shot("contacts")

	// The detail page: envelope, inert preview, timeline.
	b.do("open the contact", chromedp.Click(chromedp.CSS(row+" td.subject a")), chromedp.WaitVisible(chromedp.CSS("#preview")))
	if got := eval[string](b, `location.pathname`); got != "/ui/contacts/"+cid {
		t.Fatalf("path = %s", got)
	}
	if got := eval[string](b, `document.getElementById('subject').textContent`); got != subject {
		t.Errorf("detail subject = %q", got)
	}
	if got := eval[string](b, `document.getElementById('preview').getAttribute('sandbox')`); got != "" {
		t.Errorf("iframe sandbox = %q, want empty (no permissions)", got)
	}
	if !eval[bool](b, `document.getElementById('preview').contentDocument === null`) {
		t.Error("the preview frame is same-origin with the UI")
	}
	if got := b.frameText("/html", `document.body.innerText`); !strings.Contains(got, "Hello Ana") || !strings.Contains(got, "Your order 42 shipped.") {
		t.Errorf("preview text = %q", got)
	}
	if got := b.frameText("/html", `document.title`); got != "" {
		t.Errorf("a script ran in the preview: its title is %q", got)
	}
	if got := b.frameText("/html", `String(document.getElementById('remote').naturalWidth)`); got != "0" {
		t.Errorf("remote image width = %s before asking", got)
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the remote image was fetched %d times before asking", n)
	}
	b.waitJS("the timeline", `[...document.querySelectorAll('#timeline li')].map((li) => li.dataset.type).join(',').includes('EMAIL_SENT')`)
	types := eval[string](b, `[...document.querySelectorAll('#timeline li')].map((li) => li.dataset.type).join(',')`)
	for _, want := range []string{"INITIATED", "QUEUED", "EMAIL_SENT", "DISCONNECTED"} {
		if !strings.Contains(types, want) {
			t.Errorf("timeline %s lacks %s", types, want)
		}
	}
	if got := eval[string](b, `document.querySelector('.badge.state-sent') ? 'SENT' : ''`); got != "SENT" {
		t.Error("no SENT badge on the detail page")
	}
	if n := eval[int](b, `document.querySelectorAll('.card table tbody tr').length`); n < 1 {
		t.Error("no delivery attempt rows")
	}
	b.do("show the plain text", chromedp.Click(chromedp.CSS(`.tabs button[data-tab="text"]`)), chromedp.WaitVisible(chromedp.CSS("#plain-text")))
	if got := eval[string](b, `document.getElementById('plain-text').textContent`); !strings.Contains(got, "Hello Ana") {
		t.Errorf("plain text = %q", got)
	}
	b.do("show the headers", chromedp.Click(chromedp.CSS(`.tabs button[data-tab="headers"]`)), chromedp.WaitVisible(chromedp.CSS("table.headers")))
	if got := eval[string](b, `document.querySelector('table.headers').textContent`); !strings.Contains(got, "Message-Id") || !strings.Contains(got, cid) {
		t.Errorf("headers = %q", got)
	}
	b.do("show the source", chromedp.Click(chromedp.CSS(`.tabs button[data-tab="source"]`)), chromedp.WaitVisible(chromedp.CSS("#download-raw")))
	b.waitJS("the source", `document.getElementById('source').textContent.includes('MIME-Version: 1.0')`)
	if got := eval[string](b, `document.getElementById('download-raw').getAttribute('href')`); got != "/api/v1/messages/"+cid+"/raw" {
		t.Errorf("download link = %s", got)
	}

	b.do("back to the preview", chromedp.Click(chromedp.CSS(`.tabs button[data-tab="preview"]`)), chromedp.WaitVisible(chromedp.CSS("#load-remote")))
	time.Sleep(300 * time.Millisecond) // let the preview paint before the screenshot
	b.shot("contact")

	// Remote images load only when asked.
	b.do("load remote images", chromedp.Click(chromedp.CSS("#load-remote")), chromedp.WaitVisible(chromedp.CSS("#preview")))
	b.waitJS("the remote frame", `document.getElementById('preview').src.endsWith('/html?remote=1')`)
	deadline := time.Now().Add(10 * time.Second)
	for hits.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if hits.Load() == 0 {
		t.Error("the remote image was not fetched after asking")
	}

	if title := eval[string](b, `document.title`); title != "connectmail" {
		t.Errorf("UI title = %q", title)
	}
	if n := b.dialogs.Load(); n != 0 {
		t.Errorf("%d dialogs opened", n)
	}
	if v := eval[string](b, `window.__csp.join('; ')`); v != "" {
		t.Errorf("the UI violated its own CSP: %s", v)
	}

	// The instances page lists the instance and its address.
	b.do("open instances", chromedp.Click(chromedp.CSS(`header nav a[data-section="instances"]`)), chromedp.WaitVisible(chromedp.CSS(`section.instance table`)))
	if got := eval[string](b, `document.querySelector('section.instance').textContent`); !strings.Contains(got, inst) || !strings.Contains(got, "support@example.com") {
		t.Errorf("instances page = %q", got)
	}
}

func (h *harness) sinkWait(n int64) {
	h.t.Helper()
	deadline := time.After(20 * time.Second)
	for h.sink.Count() < n {
		select {
		case <-h.sink.Arrived():
		case <-time.After(50 * time.Millisecond):
		case <-deadline:
			h.t.Fatalf("SMTP receiver got %d messages, want %d", h.sink.Count(), n)
		}
	}
}

// TestBrowserSuppressions adds and removes an address through the page.
func TestBrowserSuppressions(t *testing.T) {
	h := startServer(t, nil)
	b := newBrowser(t)
	b.do("open suppressions", chromedp.Navigate(h.url+"/ui/suppressions"), chromedp.WaitVisible(chromedp.CSS("#suppressions tbody tr")))
	b.do("add one", chromedp.SendKeys(chromedp.CSS("#suppress-address"), "Blocked@Example.org"),
		chromedp.SendKeys(chromedp.CSS("#suppress-reason"), "<b>complained</b>"),
		chromedp.Click(chromedp.CSS(`form button[type="submit"]`)))
	b.waitJS("the new entry", `document.querySelector('#suppressions tr[data-address]') !== null`)
	if got := eval[string](b, `document.querySelector('#suppressions tr[data-address] td:nth-child(2)').textContent`); got != "<b>complained</b>" {
		t.Errorf("reason cell = %q", got)
	}
	resp, err := http.Get(h.url + "/api/v1/suppressions")
	if err != nil {
		t.Fatal(err)
	}
	if got := body(t, resp); !strings.Contains(got, `"address":"Blocked@Example.org"`) {
		t.Errorf("API list = %s", got)
	}
	// The page asks for confirmation before removing.
	b.accept.Store(true)
	b.do("remove it", chromedp.Click(chromedp.CSS(`#suppressions tr[data-address] button`)))
	b.waitJS("the empty list", `document.querySelector('#suppressions tr[data-address]') === null`)
}

// TestBrowserCredentials: with --credentials the UI needs the same keys as the API.
func TestBrowserCredentials(t *testing.T) {
	chromium(t)
	file := filepath.Join(t.TempDir(), "creds")
	if err := os.WriteFile(file, []byte(credentialsFile), 0o600); err != nil {
		t.Fatal(err)
	}
	h := startServer(t, func(c *server.Config) { c.CredentialsFile = file })
	for _, c := range []struct {
		user, pass string
		want       int
	}{{"", "", 401}, {"AKIDUI", "wrong", 401}, {"AKIDSENDER", "s3cret-sender", 401}, {"AKIDUI", "s3cret-ui", 200}} {
		req, _ := http.NewRequest("GET", h.url+"/ui/", nil)
		if c.user != "" {
			req.SetBasicAuth(c.user, c.pass)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.want {
			t.Errorf("GET /ui/ as %q = %d, want %d", c.user, resp.StatusCode, c.want)
		}
	}
	// In the browser, the page and everything it fetches use the credentials the user gave.
	b := newBrowser(t)
	u := strings.Replace(h.url, "http://", "http://AKIDUI:s3cret-ui@", 1)
	b.do("open with credentials", chromedp.Navigate(u+"/ui/"), chromedp.WaitVisible(chromedp.CSS("#list-status")))
	// The shared worker's stream request carries the credentials too.
	b.waitJS("the live stream", `document.documentElement.dataset.live === 'up' && document.documentElement.dataset.liveMode === 'shared'`)
	if got := eval[string](b, `document.getElementById('list-status').textContent`); got != "No contacts match." {
		t.Errorf("list status = %q", got)
	}
}

const credentialsFile = `{"keys": [
  {"accessKeyId": "AKIDUI", "secretAccessKey": "s3cret-ui"},
  {"accessKeyId": "AKIDSENDER", "secretAccessKey": "s3cret-sender", "allow": ["connect:*"]}
]}`

func body(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// seed fills a new database before a server opens it.
func seed(t *testing.T, fill func(ctx context.Context, st *sqlite.Store)) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "seeded.db")
	st, err := sqlite.Open(path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	fill(context.Background(), st)
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	return "sqlite:" + path
}

// seedTemplate stores a knowledge base (eu-west-1) with one email template
// whose version 1 is active, and returns their ids.
func seedTemplate(ctx context.Context, t *testing.T, st *sqlite.Store) (kbID, tID string) {
	t.Helper()
	ctx = cmconnect.WithCaller(ctx, cmconnect.Caller{Region: "eu-west-1"})
	svc := template.NewService(template.Config{AccountID: "000000000000", Stores: st.TemplateStores()})
	kb, err := svc.CreateKnowledgeBase(ctx, &template.CreateKnowledgeBaseInput{Name: "Acme mail", KnowledgeBaseType: template.KnowledgeBaseTypeMessageTemplates})
	if err != nil {
		t.Fatal(err)
	}
	kbID = kb.KnowledgeBase.KnowledgeBaseID
	tm, err := svc.CreateMessageTemplate(ctx, &template.CreateMessageTemplateInput{
		KnowledgeBaseID: kbID, Name: "Order shipped", ChannelSubtype: template.SubtypeEmail, Language: "en_US",
		Content: &template.Content{Email: &template.EmailContent{
			Subject: "Order {{Attributes.Custom.orderId}} shipped",
			Body: &template.EmailBody{
				HTML: &template.BodyContent{Content: `<h2 style="color:#067647">Hi {{Attributes.Customer.FirstName}},</h2>` +
					`<p>order <b>{{Attributes.Custom.orderId}}</b> is on its way.</p><p>— {{Attributes.System.Name}}</p>`},
				PlainText: &template.BodyContent{Content: "Hi {{Attributes.Customer.FirstName}}, order {{Attributes.Custom.orderId}} is on its way."},
			},
		}},
		DefaultAttributes: &render.Attributes{System: render.SystemAttributes{Name: "Acme"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	tID = tm.MessageTemplate.MessageTemplateID
	if _, err := svc.CreateMessageTemplateVersion(ctx, &template.CreateMessageTemplateVersionInput{KnowledgeBaseID: kbID, MessageTemplateID: tID}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.ActivateMessageTemplate(ctx, &template.VersionInput{KnowledgeBaseID: kbID, MessageTemplateID: tID, VersionNumber: 1}); err != nil {
		t.Fatal(err)
	}
	return kbID, tID
}

func seedInstance(ctx context.Context, t *testing.T, st *sqlite.Store) *cmconnect.Instance {
	t.Helper()
	in := &cmconnect.Instance{
		ID: "11111111-2222-4333-8444-555555555555", ARN: "arn:aws:connect:us-east-1:000000000000:instance/11111111-2222-4333-8444-555555555555",
		Alias: "bulk", IdentityManagementType: "CONNECT_MANAGED", Status: "ACTIVE", OutboundCallsEnabled: true, CreatedAt: time.Now().UTC(),
	}
	if err := st.CreateInstance(ctx, in, nil); err != nil {
		t.Fatal(err)
	}
	return in
}

// TestBrowserThousandsPaginated: with thousands of contacts the list loads one
// page at a time, quickly, and pages and filters on the server.
func TestBrowserThousandsPaginated(t *testing.T) {
	chromium(t)
	const total = 3000
	states := []cmconnect.State{cmconnect.StateCaptured, cmconnect.StateSent, cmconnect.StateFailed}
	db := seed(t, func(ctx context.Context, st *sqlite.Store) {
		in := seedInstance(ctx, t, st)
		start := time.Now().Add(-time.Hour).UTC()
		ids := make(chan int)
		errs := make(chan error, 8)
		for range 8 {
			go func() {
				var err error
				for i := range ids {
					c := &cmconnect.Contact{
						ID: fmt.Sprintf("00000000-0000-4000-8000-%012d", i), InstanceID: in.ID, Channel: "EMAIL", InitiationMethod: "OUTBOUND",
						State: states[i%3], InitiatedAt: start.Add(time.Duration(i) * time.Second), UpdatedAt: start,
						From: cmconnect.Endpoint{Address: "support@example.com"}, To: cmconnect.Endpoint{Address: fmt.Sprintf("customer%d@example.org", i%50)},
						Subject: fmt.Sprintf("Order %05d", i),
					}
					if e := st.CreateContact(ctx, c, nil, nil); e != nil && err == nil {
						err = e
					}
				}
				errs <- err
			}()
		}
		for i := range total {
			ids <- i
		}
		close(ids)
		for range 8 {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
	})
	h := startServer(t, func(c *server.Config) { c.DB = db })
	b := newBrowser(t)

	began := time.Now()
	b.do("open the contacts page", chromedp.Navigate(h.url+"/ui/"), chromedp.WaitVisible(chromedp.CSS("#contacts tbody tr")))
	loaded := time.Since(began)
	t.Logf("first page of %d contacts shown in %v", total, loaded)
	if loaded > 5*time.Second {
		t.Errorf("the first page took %v", loaded)
	}
	ids := func() []string {
		return eval[[]string](b, `[...document.querySelectorAll('#contacts tbody tr')].map((tr) => tr.dataset.id)`)
	}
	// Contacts were stored roughly in number order (by 8 writers); the newest come first.
	page1 := ids()
	if len(page1) != 50 {
		t.Fatalf("first page has %d rows", len(page1))
	}
	var first int
	if _, err := fmt.Sscanf(page1[0], "00000000-0000-4000-8000-%012d", &first); err != nil || first < total-20 {
		t.Errorf("first row is %s, not one of the newest", page1[0])
	}
	if n := eval[int](b, `document.querySelectorAll('#contacts tbody tr').length`); n != 50 {
		t.Fatalf("%d rows in the DOM", n)
	}
	seen := map[string]bool{}
	for _, id := range page1 {
		seen[id] = true
	}
	for p := 2; p <= 3; p++ {
		last := page1[len(page1)-1]
		b.do("older", chromedp.Click(chromedp.CSS("#older")))
		b.waitJS("the next page", `document.querySelector('#contacts tbody tr') && !document.querySelector('#contacts tbody tr[data-id="`+last+`"]')`)
		page := ids()
		if len(page) != 50 {
			t.Fatalf("page %d has %d rows", p, len(page))
		}
		for _, id := range page {
			if seen[id] {
				t.Fatalf("page %d repeats %s", p, id)
			}
			seen[id] = true
		}
		if !strings.Contains(eval[string](b, `location.search`), "before=") {
			t.Errorf("page %d is not addressable: %s", p, eval[string](b, `location.search`))
		}
		page1 = page
	}
	b.do("back to the newest", chromedp.Click(chromedp.CSS("#newest")), chromedp.WaitNotPresent(chromedp.CSS("#newest")))

	// Search and state filters run on the server.
	b.do("search", chromedp.SendKeys(chromedp.CSS(`input[name="q"]`), "Order 01234\n"))
	b.waitJS("one result", `document.querySelectorAll('#contacts tbody tr').length === 1`)
	if got := eval[string](b, `document.querySelector('#contacts tbody tr td.subject').textContent`); got != "Order 01234" {
		t.Errorf("search found %q", got)
	}
	b.do("clear", chromedp.Click(chromedp.CSS(`form.filters button.secondary`)))
	b.waitJS("the full first page", `document.querySelectorAll('#contacts tbody tr').length === 50`)
	b.do("filter FAILED", chromedp.Evaluate[chromedp.Void](`(() => { const s = document.querySelector('select[name="state"]'); s.value = 'FAILED'; s.dispatchEvent(new Event('change')); })()`))
	b.waitJS("a page of FAILED rows", `location.search.includes('state=FAILED') && document.documentElement.dataset.rows === '50' && document.querySelectorAll('#contacts tbody tr').length === 50`)
	if n := eval[int](b, `[...document.querySelectorAll('#contacts tbody tr')].filter((tr) => tr.dataset.state !== 'FAILED').length`); n != 0 {
		t.Errorf("FAILED filter shows %d other rows", n)
	}

	// Never a request for everything: every list request asked for one page.
	reqs := eval[[]string](b, `performance.getEntriesByType('resource').map((e) => e.name).filter((u) => u.includes('/api/v1/messages'))`)
	if len(reqs) < 5 {
		t.Fatalf("list requests: %v", reqs)
	}
	for _, r := range reqs {
		if !strings.Contains(r, "limit=50") {
			t.Errorf("request without a page size: %s", r)
		}
	}
}

// TestBrowserTemplates: knowledge bases, a template with its versions, and a
// render preview with sample and edited attributes.
func TestBrowserTemplates(t *testing.T) {
	chromium(t)
	var tID string
	db := seed(t, func(ctx context.Context, st *sqlite.Store) { _, tID = seedTemplate(ctx, t, st) })
	h := startServer(t, func(c *server.Config) { c.DB = db })
	b := newBrowser(t)

	b.do("open templates", chromedp.Navigate(h.url+"/ui/templates"), chromedp.WaitVisible(chromedp.CSS("a.kb.active")))
	if got := eval[string](b, `document.querySelector('a.kb.active').textContent`); got != "Acme mail eu-west-1" {
		t.Errorf("knowledge base chip = %q", got)
	}
	b.do("open the template", chromedp.Click(chromedp.CSS(`main table a[href$="`+tID+`"]`)), chromedp.WaitVisible(chromedp.CSS("#render-preview")))
	versions := eval[string](b, `[...document.querySelectorAll('#render-version option')].map((o) => o.textContent).join('|')`)
	if versions != "$LATEST|Version 1 (active)" {
		t.Errorf("versions = %q", versions)
	}
	content := eval[string](b, `document.getElementById('template-content').textContent`)
	for _, want := range []string{"Order {{Attributes.Custom.orderId}} shipped", `<h2 style="color:#067647">Hi {{Attributes.Customer.FirstName}},</h2>`, "Attributes.System.Name"} {
		if !strings.Contains(content, want) {
			t.Errorf("content section lacks %q: %s", want, content)
		}
	}
	src := eval[string](b, `document.getElementById('render-preview').src`)
	if got := b.frameText(src, `document.body.innerText`); !strings.Contains(got, "Hi <FirstName>,") || !strings.Contains(got, "— Acme") {
		t.Errorf("sample preview = %q", got)
	}
	if got := eval[string](b, `document.getElementById('render-preview').getAttribute('sandbox')`); got != "" {
		t.Errorf("render preview sandbox = %q", got)
	}

	// Edited attributes: a value with markup is escaped, a missing one is reported.
	b.do("edit the attributes", chromedp.Evaluate[chromedp.Void](`document.getElementById('render-attributes').value = JSON.stringify({customerProfileAttributes: {firstName: '<i>Ana</i>'}})`),
		chromedp.Click(chromedp.CSS("#render")))
	b.waitJS("the new preview", `document.getElementById('render-preview') && document.getElementById('render-preview').src !== `+"`"+src+"`")
	if got := eval[string](b, `document.getElementById('not-interpolated').textContent`); got != "Attributes.Custom.orderId" {
		t.Errorf("not interpolated = %q", got)
	}
	src = eval[string](b, `document.getElementById('render-preview').src`)
	if got := b.frameText(src, `document.body.innerText`); !strings.Contains(got, "Hi <i>Ana</i>,") || !strings.Contains(got, "{{Attributes.Custom.orderId}}") {
		t.Errorf("edited preview = %q", got)
	}
	time.Sleep(300 * time.Millisecond)
	b.shot("template")
}
