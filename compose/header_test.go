package compose

import (
	"strings"
	"testing"
	"time"
)

// Template headers may have names up to 126 characters (the qconnect model); they
// must compose into legal lines.
func TestLongHeaderName(t *testing.T) {
	name := "X-" + strings.Repeat("a", 124)
	b, err := Build(&Message{From: Address{Email: "a@b.c"}, To: []Address{{Email: "c@d.e"}}, Subject: "s", Text: "t", MessageID: "x@y", Date: time.Now(), Headers: []Header{{Name: name, Value: strings.Repeat("word ", 100)}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\r\n") {
		if len(l) > 998 {
			t.Fatal("long line")
		}
	}
	if !strings.Contains(string(b), name+":") {
		t.Fatal("missing")
	}
}
