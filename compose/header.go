package compose

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

const (
	// softLineLimit is where header folding starts (RFC 5322 section 2.1.1
	// SHOULD).
	softLineLimit = 78
	// hardLineLimit is the maximum line length without CRLF (RFC 5322 MUST).
	hardLineLimit = 998
	// maxEncodedWord is the maximum length of one RFC 2047 encoded-word.
	maxEncodedWord = 75
	// encodedWordOpen and encodedWordClose delimit a Q-encoded UTF-8 word.
	encodedWordOpen  = "=?utf-8?q?"
	encodedWordClose = "?="
)

// checkInjection refuses CR, LF and NUL, the bytes that could end a header
// line early or truncate it in C-based software downstream.
func checkInjection(field, s string) error {
	if i := strings.IndexAny(s, "\r\n\x00"); i >= 0 {
		return fieldErr(field, ErrHeaderInjection, "byte %q at offset %d", s[i], i)
	}
	return nil
}

// isAtext reports whether r is allowed in an RFC 5322 atom, extended with
// RFC 6532 UTF-8 for non-ASCII code points.
func isAtext(r rune, allowUTF8 bool) bool {
	switch {
	case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		return true
	case strings.ContainsRune("!#$%&'*+-/=?^_`{|}~", r):
		return true
	case r >= utf8.RuneSelf:
		return allowUTF8 && r != utf8.RuneError && unicode.IsGraphic(r) && !unicode.IsSpace(r)
	}
	return false
}

// isDotAtom reports whether s is a dot-atom-text: atoms joined by single dots.
func isDotAtom(s string, allowUTF8 bool) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' || strings.Contains(s, "..") {
		return false
	}
	for _, r := range s {
		if r != '.' && !isAtext(r, allowUTF8) {
			return false
		}
	}
	return true
}

// isQuotedLocal reports whether s is a quoted-string usable as a local part.
func isQuotedLocal(s string) bool {
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return false
	}
	inner := s[1 : len(s)-1]
	for i := 0; i < len(inner); i++ {
		c := inner[i]
		switch {
		case c == '\\':
			if i+1 >= len(inner) || inner[i+1] < ' ' || inner[i+1] == 0x7f {
				return false
			}
			i++
		case c == '"', c < ' ', c == 0x7f:
			return false
		}
	}
	return utf8.ValidString(inner)
}

// validEmail reports whether s is an addr-spec (dot-atom or quoted local
// part, dot-atom domain or domain literal). UTF-8 is accepted as RFC 6532
// allows; such addresses need an SMTPUTF8 relay.
func validEmail(s string) bool {
	if len(s) > 320 || !utf8.ValidString(s) {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || at == len(s)-1 {
		return false
	}
	local, domain := s[:at], s[at+1:]
	if local[0] == '"' {
		if !isQuotedLocal(local) {
			return false
		}
	} else if !isDotAtom(local, true) {
		return false
	}
	if domain[0] == '[' {
		if domain[len(domain)-1] != ']' || len(domain) < 3 {
			return false
		}
		for i := 1; i < len(domain)-1; i++ {
			c := domain[i]
			if c < 33 || c > 126 || c == '[' || c == ']' || c == '\\' {
				return false
			}
		}
		return true
	}
	return isDotAtom(domain, true)
}

// isPrintableASCII reports whether s only holds bytes 0x20..0x7e.
func isPrintableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < ' ' || s[i] > '~' {
			return false
		}
	}
	return true
}

// formatPhrase renders a display name: as atoms when possible, as a
// quoted-string when it is printable ASCII with specials, and as RFC 2047
// encoded-words otherwise (non-ASCII, control characters, or text that a
// reader would mistake for an encoded-word).
func formatPhrase(name string) string {
	name = strings.ToValidUTF8(name, "\uFFFD")
	// Parsers collapse blanks around folds and trim the ends, so only
	// single inner spaces survive outside encoded-words.
	// Very long names are encoded too, because encoded-words can be folded.
	if strings.Contains(name, "=?") || !isPrintableASCII(name) || strings.Contains(name, "  ") ||
		name == "" || name[0] == ' ' || name[len(name)-1] == ' ' || len(name) > 200 {
		return encodeWords(name)
	}
	plain := true
	for _, r := range name {
		if r != ' ' && !isAtext(r, false) {
			plain = false
			break
		}
	}
	if plain {
		return name
	}
	var b strings.Builder
	b.Grow(len(name) + 4)
	b.WriteByte('"')
	for i := 0; i < len(name); i++ {
		if name[i] == '"' || name[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(name[i])
	}
	b.WriteByte('"')
	return b.String()
}

// formatAddress validates a and renders it as name-addr or addr-spec.
func formatAddress(field string, a Address) (string, error) {
	if err := checkInjection(field+".Name", a.Name); err != nil {
		return "", err
	}
	if err := checkInjection(field+".Email", a.Email); err != nil {
		return "", err
	}
	if a.Email == "" {
		return "", fieldErr(field+".Email", ErrMissingField, "empty address")
	}
	if !validEmail(a.Email) {
		return "", fieldErr(field+".Email", ErrInvalidAddress, "%q is not an addr-spec", a.Email)
	}
	if a.Name == "" {
		return a.Email, nil
	}
	return formatPhrase(a.Name) + " <" + a.Email + ">", nil
}

// qSafe reports whether b may appear literally inside a Q-encoded word that
// sits in a phrase (RFC 2047 section 5, rule 3), which is the strictest
// context, so the same encoding is valid in unstructured fields too.
func qSafe(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' ||
		b == '!' || b == '*' || b == '+' || b == '-' || b == '/'
}

// encodeWords encodes s (valid UTF-8) as a space-separated sequence of
// Q-encoded words of at most 75 octets each, never splitting a character.
func encodeWords(s string) string {
	const hex = "0123456789ABCDEF"
	const room = maxEncodedWord - len(encodedWordOpen) - len(encodedWordClose)
	var b strings.Builder
	b.Grow(len(s)*3 + 16)
	b.WriteString(encodedWordOpen)
	used := 0
	for i := 0; i < len(s); {
		_, size := utf8.DecodeRuneInString(s[i:])
		need := 0
		for j := i; j < i+size; j++ {
			if qSafe(s[j]) || s[j] == ' ' {
				need++
			} else {
				need += 3
			}
		}
		if used+need > room {
			b.WriteString(encodedWordClose)
			b.WriteByte(' ')
			b.WriteString(encodedWordOpen)
			used = 0
		}
		for j := i; j < i+size; j++ {
			switch c := s[j]; {
			case c == ' ':
				b.WriteByte('_')
			case qSafe(c):
				b.WriteByte(c)
			default:
				b.WriteByte('=')
				b.WriteByte(hex[c>>4])
				b.WriteByte(hex[c&0x0f])
			}
		}
		used += need
		i += size
	}
	b.WriteString(encodedWordClose)
	return b.String()
}

// formatUnstructured renders an unstructured field body (Subject, extra
// headers). Text goes out as is when it is printable ASCII with single
// spaces that folds into legal lines; otherwise it is RFC 2047 encoded.
func formatUnstructured(name, s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if s == "" {
		return ""
	}
	// Parsers collapse blanks around folds and trim the ends, so text with
	// tabs, runs of spaces or edge spaces is encoded to survive exactly.
	encode := strings.Contains(s, "=?") || strings.Contains(s, "  ") || !isPrintableASCII(s) ||
		s[0] == ' ' || s[len(s)-1] == ' '
	if !encode {
		// A run without spaces cannot be folded; make sure it fits.
		longest, run := 0, 0
		for i := 0; i < len(s); i++ {
			if s[i] == ' ' {
				run = 0
				continue
			}
			run++
			longest = max(longest, run)
		}
		encode = longest+len(name)+2 > hardLineLimit
	}
	if encode {
		return encodeWords(s)
	}
	return s
}

// writeField appends "Name: value" folded at spaces to lines of about 78
// octets, and refuses results with lines over 998 octets.
func writeField(b *strings.Builder, name, value string) error {
	if value == "" {
		b.WriteString(name)
		b.WriteString(":\r\n")
		return nil
	}
	lineLen := len(name) + 1
	b.WriteString(name)
	b.WriteByte(':')
	// Fold points: a space that follows a non-blank byte. The value's first
	// byte is preceded by the space after the colon.
	start := 0
	first := true
	emit := func(seg string) error {
		if first {
			b.WriteByte(' ')
			lineLen++
			first = false
		} else if lineLen+len(seg) > softLineLimit {
			b.WriteString("\r\n")
			lineLen = 0
		}
		b.WriteString(seg)
		lineLen += len(seg)
		if lineLen > hardLineLimit {
			return fieldErr(name, ErrLineTooLong, "a line would be %d octets", lineLen)
		}
		return nil
	}
	for i := 1; i < len(value); i++ {
		if value[i] != ' ' || value[i-1] == ' ' || value[i-1] == '\t' {
			continue
		}
		if strings.TrimLeft(value[i:], " \t") == "" {
			break // trailing blanks stay on the current line
		}
		if err := emit(value[start:i]); err != nil {
			return err
		}
		start = i
	}
	if err := emit(value[start:]); err != nil {
		return err
	}
	b.WriteString("\r\n")
	return nil
}

// validHeaderName reports whether name is an RFC 5322 field-name (printable
// ASCII except colon) of a sensible length.
func validHeaderName(name string) bool {
	if name == "" || len(name) > 126 { // the template model allows names up to 126 characters
		return false
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; c < 33 || c > 126 || c == ':' {
			return false
		}
	}
	return true
}

// isReservedHeader reports whether an extra header named name would clash
// with a header Build owns.
func isReservedHeader(name string) bool {
	lower := strings.ToLower(name)
	switch lower {
	case "from", "to", "cc", "bcc", "subject", "date", "message-id",
		"in-reply-to", "references", "mime-version", "dkim-signature",
		"received", "return-path":
		return true
	}
	return strings.HasPrefix(lower, "content-")
}

// normalizeMsgID validates one message id (with or without angle brackets)
// and returns it without brackets.
func normalizeMsgID(field, id string) (string, error) {
	if err := checkInjection(field, id); err != nil {
		return "", err
	}
	if strings.HasPrefix(id, "<") && strings.HasSuffix(id, ">") && len(id) >= 2 {
		id = id[1 : len(id)-1]
	}
	at := strings.IndexByte(id, '@')
	if at <= 0 || at == len(id)-1 || strings.Count(id, "@") != 1 || len(id) > 900 {
		return "", fieldErr(field, ErrInvalidMessageID, "%q is not left@right", id)
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if c <= ' ' || c > '~' || strings.IndexByte(`<>()[]\",;:`, c) >= 0 {
			return "", fieldErr(field, ErrInvalidMessageID, "byte %q not allowed", c)
		}
	}
	return id, nil
}

// formatMsgIDList renders a whitespace-separated list of message ids (as used
// by In-Reply-To and References) in canonical "<a@b> <c@d>" form.
func formatMsgIDList(field, s string) (string, error) {
	if err := checkInjection(field, s); err != nil {
		return "", err
	}
	ids := strings.Fields(s)
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		n, err := normalizeMsgID(field, id)
		if err != nil {
			return "", err
		}
		out = append(out, "<"+n+">")
	}
	return strings.Join(out, " "), nil
}
