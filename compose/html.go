package compose

import (
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// PlainFromHTML derives a readable plain-text alternative from an HTML body:
// scripts, styles, titles and templates are dropped, entities decoded,
// whitespace collapsed (except inside <pre>), block elements and <br> become
// line breaks, paragraphs and headings are separated by a blank line, list
// items start with "- ", images contribute their alt text, and links render
// as "text (url)". Lines are separated by "\n".
func PlainFromHTML(src string) string {
	z := html.NewTokenizer(strings.NewReader(src))
	var t textBuilder
	skip, pre := 0, 0
	type link struct {
		href  string
		start int
	}
	var links []link
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			// io.EOF: the input is consumed (reading a string cannot fail).
			break
		}
		switch tt {
		case html.TextToken:
			if skip > 0 {
				continue
			}
			text := strings.ReplaceAll(string(z.Text()), "\u00a0", " ")
			if pre > 0 {
				t.raw(text)
			} else {
				t.text(text)
			}
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			name, hasAttr := z.TagName()
			a := atom.Lookup(name)
			// Only links and images need an attribute (the first wins).
			var want, attr string
			switch a {
			case atom.A:
				want = "href"
			case atom.Img:
				want = "alt"
			}
			for found := false; hasAttr && want != "" && !found; {
				var k, v []byte
				k, v, hasAttr = z.TagAttr()
				if string(k) == want {
					attr, found = string(v), true
				}
			}
			start := tt != html.EndTagToken
			end := tt != html.StartTagToken
			switch a {
			case atom.Script, atom.Style, atom.Title, atom.Template:
				if start && !end {
					skip++
				} else if !start && skip > 0 {
					skip--
				}
				continue
			}
			if skip > 0 {
				continue
			}
			switch a {
			case atom.Br:
				if start {
					t.newline()
				}
			case atom.Img:
				if start {
					t.text(" " + attr + " ")
				}
			case atom.Pre:
				t.block(2)
				if start && !end {
					pre++
				} else if !start && pre > 0 {
					pre--
				}
			case atom.P, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6,
				atom.Blockquote, atom.Table, atom.Ul, atom.Ol, atom.Dl, atom.Hr:
				t.block(2)
			case atom.Li:
				t.block(1)
				if start {
					t.marker("- ")
				}
			case atom.Div, atom.Tr, atom.Dt, atom.Dd, atom.Section, atom.Article,
				atom.Header, atom.Footer, atom.Nav, atom.Main, atom.Aside,
				atom.Figure, atom.Figcaption, atom.Address, atom.Form,
				atom.Fieldset, atom.Center, atom.Caption, atom.Body:
				t.block(1)
			case atom.Td, atom.Th:
				if start {
					t.space()
				}
			case atom.A:
				if start && !end {
					links = append(links, link{href: strings.TrimSpace(attr), start: t.len()})
				} else if !start && len(links) > 0 {
					l := links[len(links)-1]
					links = links[:len(links)-1]
					t.link(l.href, l.start)
				}
			}
		}
	}
	return t.result()
}

// textBuilder accumulates plain text with collapsed whitespace and
// requested line breaks.
type textBuilder struct {
	b          strings.Builder
	pendingNL  int  // line breaks requested before the next text
	pendingSP  bool // a space requested before the next word
	trailingNL int  // line breaks at the end of b
}

func (t *textBuilder) len() int { return t.b.Len() }

// flush writes requested line breaks, never at the very start.
func (t *textBuilder) flush() {
	if t.b.Len() > 0 {
		for ; t.trailingNL < t.pendingNL; t.trailingNL++ {
			t.b.WriteByte('\n')
		}
		if t.pendingNL > 0 {
			t.pendingSP = false
		}
	}
	t.pendingNL = 0
}

func (t *textBuilder) write(s string) {
	if s == "" {
		return
	}
	t.b.WriteString(s)
	if n := len(s) - len(strings.TrimRight(s, "\n")); n == len(s) {
		t.trailingNL += n
	} else {
		t.trailingNL = n
	}
}

// lastIsBlank reports whether the output ends in a space or line break.
func (t *textBuilder) lastIsBlank() bool {
	s := t.b.String()
	return s == "" || s[len(s)-1] == ' ' || s[len(s)-1] == '\n'
}

func (t *textBuilder) text(s string) {
	for s != "" {
		trimmed := strings.TrimLeft(s, " \t\r\n\f")
		if len(trimmed) != len(s) {
			t.pendingSP = true
		}
		s = trimmed
		if s == "" {
			return
		}
		end := strings.IndexAny(s, " \t\r\n\f")
		if end < 0 {
			end = len(s)
		}
		t.word(s[:end])
		s = s[end:]
	}
}

func (t *textBuilder) word(w string) {
	t.flush()
	if t.pendingSP && !t.lastIsBlank() {
		t.write(" ")
	}
	t.pendingSP = false
	t.write(w)
}

func (t *textBuilder) raw(s string) {
	s = normalizeNewlines(s)
	if s == "" {
		return
	}
	t.flush()
	t.pendingSP = false
	t.write(s)
}

func (t *textBuilder) block(n int) {
	t.pendingNL = max(t.pendingNL, n)
	t.pendingSP = false
}

func (t *textBuilder) newline() {
	t.flush()
	t.pendingSP = false
	t.write("\n")
}

func (t *textBuilder) space() { t.pendingSP = true }

func (t *textBuilder) marker(m string) {
	t.flush()
	t.write(m)
	t.pendingSP = false
}

// link appends " (href)" after the text written since start, unless the URL
// would add nothing (empty, fragment, javascript:, or equal to the text).
func (t *textBuilder) link(href string, start int) {
	lower := strings.ToLower(href)
	if href == "" || strings.HasPrefix(href, "#") || strings.HasPrefix(lower, "javascript:") {
		return
	}
	text := ""
	if start <= t.b.Len() {
		text = strings.TrimSpace(t.b.String()[start:])
	}
	switch {
	case text == "":
		t.word(href)
	case text == href, strings.HasPrefix(lower, "mailto:") && text == href[len("mailto:"):]:
	default:
		t.pendingSP = true
		t.word("(" + href + ")")
	}
}

// result trims trailing blanks on every line, keeps at most one blank line in
// a row and drops leading and trailing blank lines.
func (t *textBuilder) result() string {
	lines := strings.Split(t.b.String(), "\n")
	out := make([]string, 0, len(lines))
	blank := 0
	for _, l := range lines {
		l = strings.TrimRight(l, " \t")
		if l == "" {
			blank++
			continue
		}
		if len(out) > 0 && blank > 0 {
			out = append(out, "")
		}
		blank = 0
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}
