package apimodel

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
)

// TestSeqMatcherAgreesWithRegexp checks the fast matcher against Go's
// regexp on random strings, for every model pattern it takes over and for
// a few synthetic ones.
func TestSeqMatcherAgreesWithRegexp(t *testing.T) {
	patterns := map[string]bool{}
	for _, s := range []*Service{Connect(), QConnect()} {
		for _, sh := range s.Shapes {
			if sh.Pattern != nil {
				patterns[sh.Pattern.RE2] = sh.Pattern.seq != nil
			}
		}
	}
	for _, p := range []string{`^a?b*c{2,3}d+$`, `[0-9]+`, `^x`, `y$`, `^.*z$`, `^(?s:.)\pL{1,2}$`, `^é+$`, `^[^a-c]{0,2}$`} {
		patterns[p] = true
	}
	// Shapes of the models that must take the fast path.
	for _, want := range []string{"EmailAddress", "TagKey", "FileName", "DirectoryId", "ReferenceArn"} {
		if Connect().Shapes[want].Pattern.seq == nil {
			t.Errorf("connect %s does not use the sequence matcher", want)
		}
	}
	if QConnect().Shapes["Uuid"].Pattern.seq == nil || QConnect().Shapes["UuidOrArn"].Pattern.seq != nil {
		t.Error("qconnect Uuid should use the sequence matcher, UuidOrArn regexp")
	}
	rng := rand.New(rand.NewPCG(1, 2))
	taken, matched := 0, 0
	for p, want := range patterns {
		m := newSeqMatcher(p)
		if (m != nil) != want {
			t.Errorf("%s: sequence matcher %v, want %v", p, m != nil, want)
		}
		if m == nil {
			continue
		}
		taken++
		re := regexp.MustCompile(p)
		alphabet := []rune(alphabetFor(p))
		for range 3000 {
			s := randomString(rng, alphabet)
			got, want := m.match(s), re.MatchString(s)
			if got != want {
				t.Fatalf("%s on %q: sequence matcher %v, regexp %v", p, s, got, want)
			}
			if got {
				matched++
			}
		}
	}
	if taken < 10 || matched < 1000 {
		t.Errorf("only %d patterns took the fast path, %d strings matched", taken, matched)
	}
}

// alphabetFor returns the characters of p plus some that classes often
// include or exclude.
func alphabetFor(p string) string {
	return p + "aZ9-_.@:/ \t\n\r\u00a0\u2028é\U0001F600\x00" + string([]byte{0xff})
}

func randomString(rng *rand.Rand, alphabet []rune) string {
	var b strings.Builder
	n := rng.IntN(40)
	for range n {
		b.WriteRune(alphabet[rng.IntN(len(alphabet))])
	}
	return b.String()
}

func FuzzSeqMatcherEmail(f *testing.F) {
	p := Connect().Shapes["EmailAddress"].Pattern
	f.Add("a@b.c")
	f.Add("a b@c.d")
	f.Add("@@..")
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := p.seq.match(s), p.re.MatchString(s); got != want {
			t.Fatalf("%q: sequence matcher %v, regexp %v", s, got, want)
		}
	})
}
