package ui_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/connectmail/connectmail/server"
	"github.com/connectmail/connectmail/sqlite"
)

// layoutProblems lists what makes the page unusable at its current width:
// the page scrolling sideways, elements sticking out of the viewport (other
// than inside an element that scrolls sideways itself), navigation links
// that are cut off or covered, table cells so narrow (under 72px) that their
// text wraps, and cells that clip their text.
const layoutProblems = `(() => {
  const W = document.documentElement.clientWidth;
  const out = [];
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    (typeof el.className === 'string' && el.className.trim() ? '.' + el.className.trim().split(/\s+/).join('.') : '');
  const scrolls = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX;
      if (o === 'auto' || o === 'scroll') return true;
    }
    return false;
  };
  // lines counts the lines of text in el: a new line starts where a piece
  // of text begins lower than most of a line below the previous one.
  const lines = (el) => {
    const rects = [];
    const walk = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let n = walk.nextNode(); n; n = walk.nextNode()) {
      const range = document.createRange();
      range.selectNodeContents(n);
      rects.push(...[...range.getClientRects()].filter((q) => q.width > 0));
    }
    rects.sort((a, b) => a.top - b.top);
    let count = rects.length ? 1 : 0;
    for (let i = 1; i < rects.length; i++) if (rects[i].top > rects[i - 1].top + 0.8 * rects[i - 1].height) count++;
    return count;
  };
  const text = (el) => el.textContent.trim().replace(/\s+/g, ' ').slice(0, 40);
  if (document.documentElement.scrollWidth > W + 1) out.push('the page is ' + document.documentElement.scrollWidth + 'px wide in a ' + W + 'px viewport');
  for (const a of document.querySelectorAll('header nav a')) {
    const r = a.getBoundingClientRect();
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    if (r.width < 1 || r.left < 0 || r.right > W + 0.5 || !a.contains(hit)) out.push('nav link "' + text(a) + '" is not fully visible (' + Math.round(r.left) + '..' + Math.round(r.right) + 'px)');
  }
  for (const el of document.querySelectorAll('main td, main th')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || text(el) === '') continue;
    if (r.width < 72 && lines(el) > 1) out.push(name(el) + ' "' + text(el) + '" is ' + Math.round(r.width) + 'px wide and wraps');
    if (el.scrollWidth > el.clientWidth + 1) out.push(name(el) + ' "' + text(el) + '" clips its text (' + el.scrollWidth + ' > ' + el.clientWidth + 'px)');
  }
  for (const el of document.querySelectorAll('header *, main *')) {
    const r = el.getBoundingClientRect();
    if (r.width > 0 && r.right > W + 1 && !scrolls(el)) out.push(name(el) + ' "' + text(el) + '" reaches ' + Math.round(r.right) + 'px');
  }
  return [...new Set(out)].slice(0, 15);
})()`

// checkLayout fails the test with every layout problem of the page.
func (b *browser) checkLayout(page string) {
	b.t.Helper()
	if problems := eval[[]string](b, layoutProblems); len(problems) > 0 {
		b.shot("failure")
		b.t.Errorf("%s at %dpx wide:\n  %s", page, b.width, strings.Join(problems, "\n  "))
	}
}

// TestBrowserNarrowScreens: every page is usable on a phone, 420 CSS pixels
// wide: nothing sticks out sideways, every section of the navigation is on
// screen, and list rows stack so that no column shrinks to a few letters.
func TestBrowserNarrowScreens(t *testing.T) {
	chromium(t)
	var kbID, tID string
	db := seed(t, func(ctx context.Context, st *sqlite.Store) { kbID, tID = seedTemplate(ctx, t, st) })
	h := startServer(t, func(c *server.Config) { c.DB = db; c.SMTPAddr = "127.0.0.1:0" })
	ctx := context.Background()
	inst := h.setup(ctx)
	h.sink.Reject("gone@example.net", 550, "5.1.1 no such user")
	out := h.send(ctx, inst, "maria.fernandez-longname@example.org", "Your order 42 has shipped and is on its way to you", "<p>Hello Maria, your order is on its way.</p>")
	h.send(ctx, inst, "gone@example.net", "Your invoice INV-7", "<p>Invoice attached.</p>")
	h.sinkWait(1)
	in := h.receive("ana@example.org", "support@example.com", "From: \"Ana, Example Inc.\" <ana@example.org>\r\nTo: Acme Support <support@example.com>\r\n"+
		"Subject: Re: Your order 42\r\nMessage-ID: <narrow-1@example.org>\r\nIn-Reply-To: <"+out+"@example.com>\r\n\r\nThanks!\r\n")
	put(t, h.url+"/api/v1/suppressions/blocked@example.org", `{"reason":"complained about the newsletter"}`)

	b := newBrowser(t)
	b.viewport(420, 900)
	pages := []struct{ name, path, ready string }{
		{"contacts", "/ui/", `#contacts tbody tr[data-state="FAILED"]`},
		{"contact", "/ui/contacts/" + out, `#timeline`},
		{"inbound contact", "/ui/contacts/" + in, `#timeline`},
		{"instances", "/ui/instances", `section.instance table`},
		{"templates", "/ui/templates", `main table a`},
		{"template", "/ui/templates/" + kbID + "/" + tID, `#render-preview`},
		{"suppressions", "/ui/suppressions", `#suppressions tr[data-address]`},
	}
	for _, p := range pages {
		b.do("open "+p.name, chromedp.Navigate(h.url+p.path), chromedp.WaitVisible(chromedp.CSS(p.ready)))
		b.checkLayout(p.name)
		switch p.name {
		case "contacts":
			b.shot("contacts-narrow")
			// A stacked row still names its columns.
			if got := eval[string](b, `getComputedStyle(document.querySelector('#contacts tbody td.customer'), '::before').content`); got != `"Customer"` {
				t.Errorf("the customer cell is labelled %s", got)
			}
		case "contact":
			b.shot("contact-narrow")
			for _, tab := range []string{"headers", "attachments", "source", "text"} {
				b.do("show "+tab, chromedp.Click(chromedp.CSS(`.tabs button[data-tab="`+tab+`"]`)))
				b.waitJS(tab, `document.querySelector('.tabs button[data-tab="`+tab+`"]').getAttribute('aria-selected') === 'true'`)
				b.checkLayout("contact, " + tab)
			}
		}
	}
}

// put sends a JSON body with PUT and fails the test unless it succeeds.
func put(t *testing.T, url, payload string) {
	t.Helper()
	req, err := http.NewRequest("PUT", url, strings.NewReader(payload))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if b := body(t, resp); resp.StatusCode/100 != 2 {
		t.Fatalf("PUT %s: %d %s", url, resp.StatusCode, b)
	}
}

// missingGlyphs draws every distinct character of the element's text, in
// the element's font, on a canvas, and lists those that come out as the
// box of a missing glyph: the same pixels as U+10FFFD, a code point no font
// has. Without a font for the script every character is that box.
const missingGlyphs = `((sel) => {
  const el = document.querySelector(sel);
  const cs = getComputedStyle(el);
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = 48;
  const g = canvas.getContext('2d', {willReadFrequently: true});
  g.font = cs.fontStyle + ' ' + cs.fontWeight + ' 32px ' + cs.fontFamily;
  const draw = (ch) => {
    g.clearRect(0, 0, 48, 48);
    g.fillText(ch, 4, 38);
    return Array.from(g.getImageData(0, 0, 48, 48).data.filter((_, i) => i % 4 === 3)).join(',');
  };
  const tofu = draw('\u{10FFFD}');
  const chars = [...new Set([...el.textContent].filter((c) => c.codePointAt(0) > 0x2e80))];
  return chars.length === 0 ? ['no CJK text in ' + sel] : chars.filter((c) => draw(c) === tofu);
})`

// TestBrowserJapaneseSubject: a contact with a Japanese subject shows its
// characters, not boxes, in the list and on its page (scripts/testenv.sh
// installs fonts-noto-cjk for this).
func TestBrowserJapaneseSubject(t *testing.T) {
	h := startServer(t, nil)
	b := newBrowser(t)
	ctx := context.Background()
	inst := h.setup(ctx)
	const subject = "ご注文の商品を発送しました（注文番号４２）"
	cid := h.send(ctx, inst, "hanako@example.jp", subject, "<p>山田花子様、ご注文ありがとうございます。</p>")
	h.sinkWait(1)

	b.do("open the contacts page", chromedp.Navigate(h.url+"/ui/"), chromedp.WaitVisible(chromedp.CSS(`#contacts tr[data-id="`+cid+`"]`)))
	row := `#contacts tr[data-id="` + cid + `"] td.subject a`
	if got := eval[string](b, `document.querySelector('`+row+`').textContent`); got != subject {
		t.Fatalf("subject cell = %q", got)
	}
	if missing := eval[[]string](b, missingGlyphs+`('`+row+`')`); len(missing) > 0 {
		t.Errorf("the list shows %d characters of the subject as boxes: %q (is a CJK font installed? apt-get install fonts-noto-cjk, as scripts/testenv.sh does)", len(missing), missing)
	}
	b.do("open the contact", chromedp.Click(chromedp.CSS(row)), chromedp.WaitVisible(chromedp.CSS("#preview")))
	if missing := eval[[]string](b, missingGlyphs+`('#subject')`); len(missing) > 0 {
		t.Errorf("the contact page shows %q of its subject as boxes", missing)
	}
	b.shot("contact-japanese")
}
