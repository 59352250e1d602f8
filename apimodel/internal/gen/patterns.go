package main

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// Patterns: the rule.
//
// A Smithy @pattern is an ECMA-262 regular expression that is NOT implicitly
// anchored: a value satisfies it when the expression matches somewhere in
// the value (RegExp.prototype.test), so only ^ and $ tie it to the ends.
// apimodel enforces exactly that, with Go's regexp.MatchString.
//
// The botocore copies we read are not always the Smithy text. botocore's
// converter removes a leading ^ and a trailing $ (so that its patterns can
// be matched against the whole value), and writes a Smithy end that is not
// anchored as ".*" (Smithy "\S" becomes ".*\S.*"). Taken as an ECMA pattern,
// a botocore pattern that lost its anchors accepts far too much: "x@y.z w"
// would satisfy the e-mail pattern. The Connect model mixes both styles (some
// patterns kept their anchors, EmailAddress lost both, ReferenceArn its $),
// the Q in Connect model lost every one.
//
// So every pattern of a shape that the supported operations use is taken
// verbatim only when every top-level alternative of it is anchored at both
// ends already; otherwise it must be decided in anchorOverrides below, one
// row per shape, which says for each end whether the Smithy pattern anchors
// it. The generator then adds the missing ^ or $, or, for an end that Smithy
// leaves open, drops botocore's ".*" there (an unanchored ".*" at an end
// matches the empty string, so dropping it changes nothing but speed). The
// rows were checked against the Smithy JSON models (aws/api-models-aws,
// August 2025), and for the shapes newer than that snapshot (the WhatsApp
// ones) derived by reversing the converter as described. A pattern that is
// neither anchored nor decided, or a row that no longer applies, stops the
// generator.
//
// The decided ECMA pattern is then translated to RE2 (translate): a leading
// negative lookahead of literal prefixes, ^(?!aws:), becomes a list of
// forbidden prefixes; "." and \s, \S get their ECMA meanings (ECMA's "."
// excludes \r, U+2028 and U+2029 too, its \s includes the Unicode spaces);
// \uXXXX becomes \x{XXXX}. Lookarounds elsewhere, backreferences and other
// constructs RE2 lacks stop the generator.

// end is the anchoring decision for one end of a pattern.
type end uint8

const (
	open     end = iota // Smithy leaves this end unanchored
	anchored            // Smithy anchors this end (^ or $)
)

type anchorOverride struct {
	service, shape string
	start, end     end
}

var anchorOverrides = []anchorOverride{
	// Amazon Connect.
	{"connect", "AwsRegion", anchored, anchored},
	{"connect", "EmailAddress", anchored, anchored},
	{"connect", "ReferenceArn", anchored, anchored},
	{"connect", "RegionName", anchored, anchored},

	// Amazon Q in Connect.
	{"qconnect", "Arn", anchored, anchored},
	{"qconnect", "ArnWithQualifier", anchored, anchored},
	{"qconnect", "AttachmentFileName", anchored, anchored},
	{"qconnect", "BedrockModelArnForParsing", anchored, anchored},
	{"qconnect", "EmailHeaderKey", anchored, anchored},
	{"qconnect", "GenericArn", anchored, anchored},
	{"qconnect", "MessageTemplateContentSha256", anchored, anchored},
	{"qconnect", "TagKey", anchored, anchored},
	{"qconnect", "Uuid", anchored, anchored},
	{"qconnect", "UuidOrArn", anchored, anchored},
	{"qconnect", "UuidOrArnOrEitherWithQualifier", anchored, anchored},
	{"qconnect", "WebUrl", anchored, anchored},
	{"qconnect", "WhatsAppMessageTemplateId", anchored, anchored},
	// Smithy ^[a-zA-Z0-9\s_.,-]+ : only the first character is constrained.
	{"qconnect", "Description", anchored, open},
	{"qconnect", "Name", anchored, open},
	// Smithy [ -~]* : matches every string.
	{"qconnect", "EmailHeaderValue", open, open},
	// Smithy (^waba-…$)|(^arn:…$) : each alternative carries its anchors.
	{"qconnect", "WhatsAppBusinessAccountId", open, open},
}

// effectivePattern returns the ECMA-262 pattern to enforce for a shape whose
// botocore pattern is p, recording the override it used.
func effectivePattern(service, shape, p string, used map[string]bool) (string, error) {
	for _, o := range anchorOverrides {
		if o.service != service || o.shape != shape {
			continue
		}
		used[shape] = true
		q := p
		switch o.start {
		case anchored:
			if !strings.HasPrefix(q, "^") {
				q = "^" + q
			}
		case open:
			q = strings.TrimPrefix(q, ".*")
		}
		switch o.end {
		case anchored:
			if !endsWithDollar(q) {
				q += "$"
			}
		case open:
			if strings.HasSuffix(q, ".*") && !strings.HasSuffix(q, `\.*`) {
				q = strings.TrimSuffix(q, ".*")
			}
		}
		if q == p {
			return "", fmt.Errorf("shape %s: pattern %q is already as anchorOverrides decides; remove its row", shape, p)
		}
		return q, nil
	}
	if fullyAnchored(p) {
		return p, nil
	}
	return "", fmt.Errorf("shape %s: pattern %q is not anchored at both ends: decide it in anchorOverrides "+
		"(botocore drops Smithy's ^ and $; the Smithy form is probably %q)", shape, p, "^"+strings.TrimSuffix(strings.TrimPrefix(p, "^"), "$")+"$")
}

func checkOverridesUsed(service string, used map[string]bool) error {
	var stale []string
	for _, o := range anchorOverrides {
		if o.service == service && !used[o.shape] {
			stale = append(stale, o.shape)
		}
	}
	if len(stale) > 0 {
		sort.Strings(stale)
		return fmt.Errorf("anchorOverrides rows %v match no pattern of a supported operation; remove them", stale)
	}
	return nil
}

func endsWithDollar(p string) bool {
	if !strings.HasSuffix(p, "$") {
		return false
	}
	// An odd number of backslashes before the $ escapes it.
	n := 0
	for i := len(p) - 2; i >= 0 && p[i] == '\\'; i-- {
		n++
	}
	return n%2 == 0
}

// fullyAnchored tells whether every top-level alternative of p starts with
// ^ and ends with an unescaped $.
func fullyAnchored(p string) bool {
	for _, alt := range topLevelAlternatives(p) {
		if !strings.HasPrefix(alt, "^") || !endsWithDollar(alt) {
			return false
		}
	}
	return true
}

// topLevelAlternatives splits p at the | that are outside groups and
// character classes.
func topLevelAlternatives(p string) []string {
	var out []string
	depth, start, inClass := 0, 0, false
	for i := 0; i < len(p); i++ {
		switch c := p[i]; {
		case c == '\\':
			i++
		case inClass:
			inClass = c != ']'
		case c == '[':
			inClass = true
		case c == '(':
			depth++
		case c == ')':
			depth--
		case c == '|' && depth == 0:
			out = append(out, p[start:i])
			start = i + 1
		}
	}
	return append(out, p[start:])
}

// translated is a pattern ready for apimodel.
type translated struct {
	source      string   // the ECMA-262 pattern, quoted in messages
	notPrefixes []string // from a leading ^(?!a|b)
	re2         string   // the rest, in Go regexp syntax
}

// ecmaSpace is ECMA-262's \s (WhiteSpace and LineTerminator) as the inside
// of an RE2 character class.
const ecmaSpace = `\t\n\v\f\r \x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}\x{feff}`

// ecmaDot is ECMA-262's "." without the s flag: anything but a line
// terminator.
const ecmaDot = `[^\n\r\x{2028}\x{2029}]`

func translate(p string) (*translated, error) {
	tr := &translated{source: p}
	rest := p
	for strings.HasPrefix(rest, "^(?!") {
		body, after, err := lookahead(rest[len("^(?!"):])
		if err != nil {
			return nil, err
		}
		for _, alt := range strings.Split(body, "|") {
			lit, err := literal(alt)
			if err != nil {
				return nil, fmt.Errorf("negative lookahead (?!%s): %w", body, err)
			}
			tr.notPrefixes = append(tr.notPrefixes, lit)
		}
		rest = "^" + after
	}
	if len(tr.notPrefixes) > 0 && len(topLevelAlternatives(rest)) > 1 {
		return nil, fmt.Errorf("a leading lookahead before a top-level alternation is not supported")
	}
	re2, err := toRE2(rest)
	if err != nil {
		return nil, err
	}
	if _, err := regexp.Compile(re2); err != nil {
		return nil, fmt.Errorf("translated to %q, which Go cannot compile: %w", re2, err)
	}
	tr.re2 = re2
	return tr, nil
}

// lookahead splits "body)rest" at the parenthesis closing the lookahead.
func lookahead(s string) (body, rest string, err error) {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '(', '[':
			return "", "", fmt.Errorf("only literal prefixes are supported in a lookahead")
		case ')':
			return s[:i], s[i+1:], nil
		}
	}
	return "", "", fmt.Errorf("unterminated lookahead")
}

// literal decodes a regexp fragment that must match one fixed string.
func literal(s string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\':
			if i+1 >= len(s) || !isPunct(s[i+1]) {
				return "", fmt.Errorf("escape in %q is not a literal character", s)
			}
			i++
			b.WriteByte(s[i])
		case strings.IndexByte(".*+?()[]{}|^$", c) >= 0:
			return "", fmt.Errorf("%q is not a literal string", s)
		default:
			b.WriteByte(c)
		}
	}
	if b.Len() == 0 {
		return "", fmt.Errorf("empty lookahead")
	}
	return b.String(), nil
}

func isPunct(c byte) bool {
	return c < 0x80 && !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') && c > ' '
}

func isHex(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// toRE2 rewrites an ECMA-262 pattern (without a leading lookahead) in Go's
// regexp syntax, or says why it cannot.
func toRE2(p string) (string, error) {
	var b strings.Builder
	inClass := false
	classStart := 0 // index in p of the first character inside the class
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '\\':
			if i+1 >= len(p) {
				return "", fmt.Errorf("trailing backslash")
			}
			i++
			e := p[i]
			switch {
			case e == 's':
				if inClass {
					b.WriteString(ecmaSpace)
				} else {
					b.WriteString("[" + ecmaSpace + "]")
				}
			case e == 'S':
				if !inClass {
					b.WriteString("[^" + ecmaSpace + "]")
				} else if i-1 == classStart && i+1 < len(p) && p[i+1] == ']' && p[classStart-1] == '[' {
					b.WriteString("^" + ecmaSpace) // the class [\S]
				} else {
					return "", fmt.Errorf(`\S inside a larger character class is not supported`)
				}
			case strings.IndexByte("dDwWtnrfv", e) >= 0:
				b.WriteByte('\\')
				b.WriteByte(e)
			case e == 'b' || e == 'B':
				if inClass {
					return "", fmt.Errorf(`\%c inside a character class is not supported`, e)
				}
				b.WriteByte('\\')
				b.WriteByte(e)
			case e == 'p' || e == 'P':
				j := i + 1
				if j < len(p) && p[j] == '{' {
					k := strings.IndexByte(p[j:], '}')
					if k < 0 {
						return "", fmt.Errorf(`unterminated \%c{`, e)
					}
					j += k + 1
				} else {
					return "", fmt.Errorf(`\%c without {property}`, e)
				}
				b.WriteString(p[i-1 : j])
				i = j - 1
			case e == 'u':
				var hex string
				if i+1 < len(p) && p[i+1] == '{' {
					k := strings.IndexByte(p[i+1:], '}')
					if k < 0 {
						return "", fmt.Errorf(`unterminated \u{`)
					}
					hex = p[i+2 : i+1+k]
					i += k + 1
				} else if i+4 < len(p) {
					hex = p[i+1 : i+5]
					i += 4
				}
				if !isHex(hex) {
					return "", fmt.Errorf(`bad \u escape`)
				}
				b.WriteString(`\x{` + hex + `}`)
			case e == 'x':
				if i+2 >= len(p) || !isHex(p[i+1:i+3]) {
					return "", fmt.Errorf(`bad \x escape`)
				}
				b.WriteString(p[i-1 : i+3])
				i += 2
			case e == '0' && (i+1 >= len(p) || p[i+1] < '0' || p[i+1] > '9'):
				b.WriteString(`\x00`)
			case '1' <= e && e <= '9' || e == 'k':
				return "", fmt.Errorf("backreferences are not supported")
			case isPunct(e):
				b.WriteByte('\\')
				b.WriteByte(e)
			default:
				return "", fmt.Errorf(`escape \%c is not supported`, e)
			}
		case inClass:
			if c == ']' {
				inClass = false
			}
			b.WriteByte(c)
		case c == '[':
			if strings.HasPrefix(p[i:], "[]") || strings.HasPrefix(p[i:], "[^]") {
				return "", fmt.Errorf("empty character classes are not supported")
			}
			inClass = true
			b.WriteByte('[')
			if i+1 < len(p) && p[i+1] == '^' {
				b.WriteByte('^')
				i++
			}
			classStart = i + 1
		case c == '.':
			b.WriteString(ecmaDot)
		case c == '(' && strings.HasPrefix(p[i:], "(?"):
			switch {
			case strings.HasPrefix(p[i:], "(?:"):
				b.WriteString("(?:")
				i += 2
			case strings.HasPrefix(p[i:], "(?<") && !strings.HasPrefix(p[i:], "(?<=") && !strings.HasPrefix(p[i:], "(?<!"):
				b.WriteString("(?P<")
				i += 2
			default:
				return "", fmt.Errorf("lookaround at offset %d is not supported (only a leading ^(?!prefix) is)", i)
			}
		default:
			b.WriteByte(c)
		}
	}
	if inClass {
		return "", fmt.Errorf("unterminated character class")
	}
	return b.String(), nil
}
