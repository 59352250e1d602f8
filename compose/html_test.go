package compose

import (
	"strings"
	"testing"
)

func TestPlainFromHTML(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain text", "hello world", "hello world"},
		{"whitespace collapsed", "  hello \n\t  world  ", "hello world"},
		{"entities", "Fish &amp; Chips &lt;3 &eacute;t&#233; &#x263A; a&nbsp;b", "Fish & Chips <3 été ☺ a b"},
		{"br", "one<br>two<br/>three<BR >four", "one\ntwo\nthree\nfour"},
		{"double br keeps one blank line", "one<br><br><br><br>two", "one\n\ntwo"},
		{"paragraphs", "<p>one</p><p>two</p>", "one\n\ntwo"},
		{"divs", "<div>one</div><div>two</div>", "one\ntwo"},
		{"headings", "<h1>Title</h1>Body", "Title\n\nBody"},
		{"inline elements stay inline", "a <b>bold</b> and <i>italic</i> <span>span</span>", "a bold and italic span"},
		{"script and style dropped", "<style>p{color:red}</style>a<script>if (a < b) { x() }</script>b", "ab"},
		{"title dropped", "<html><head><title>Hidden</title></head><body>Shown</body></html>", "Shown"},
		{"template dropped", "a<template><p>t</p></template>b", "ab"},
		{"comments dropped", "a<!-- hidden -->b", "ab"},
		{"link", `see <a href="https://example.com/x">the page</a>.`, "see the page (https://example.com/x)."},
		{"link same as text", `<a href="https://example.com">https://example.com</a>`, "https://example.com"},
		{"mailto same as text", `<a href="mailto:a@example.com">a@example.com</a>`, "a@example.com"},
		{"link without text", `<a href="https://example.com"></a>`, "https://example.com"},
		{"fragment link", `<a href="#top">top</a>`, "top"},
		{"javascript link", `<a href="javascript:void(0)">click</a>`, "click"},
		{"link entity in href", `<a href="https://e.com/?a=1&amp;b=2">x</a>`, "x (https://e.com/?a=1&b=2)"},
		{"list", "<ul><li>one</li><li>two</li></ul>after", "- one\n- two\n\nafter"},
		{"table", "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td><td>d</td></tr></table>", "a b\nc d"},
		{"pre keeps whitespace", "<p>x</p><pre>  a\n    b</pre><p>y</p>", "x\n\n  a\n    b\n\ny"},
		{"img alt", `text <img src="x.png" alt="Logo"> more`, "text Logo more"},
		{"unclosed tags", "<p>one<p>two<div>three", "one\n\ntwo\nthree"},
		{"unterminated script", "a<script>b", "a"},
		{"garbage", "<<>>< / >&&;", "<<>>< / >&&;"},
		{"empty", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := PlainFromHTML(tc.in); got != tc.want {
				t.Errorf("PlainFromHTML(%q)\n got %q\nwant %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestPlainFromHTMLNoTrailingBlanks(t *testing.T) {
	got := PlainFromHTML("<div>  a  </div><p> b </p>   <br>  ")
	for _, line := range strings.Split(got, "\n") {
		if strings.TrimRight(line, " \t") != line {
			t.Errorf("line %q has trailing blanks", line)
		}
	}
	if strings.HasPrefix(got, "\n") || strings.HasSuffix(got, "\n") {
		t.Errorf("result %q has leading or trailing line breaks", got)
	}
}
