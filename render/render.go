package render

import (
	"strings"
)

// Mode says how values are inserted into the text.
type Mode int

const (
	// Text inserts values as they are: plain-text bodies and subjects.
	Text Mode = iota
	// HTML escapes values for HTML text and attribute content: HTML bodies.
	HTML
)

// Category is the category of a placeholder, spelled as the qconnect
// MessageTemplateAttributeType enum.
type Category string

// The four placeholder categories.
const (
	// CategorySystem is Attributes.System.*.
	CategorySystem Category = "SYSTEM"
	// CategoryAgent is Attributes.Agent.*.
	CategoryAgent Category = "AGENT"
	// CategoryCustomerProfile is Attributes.Customer.*.
	CategoryCustomerProfile Category = "CUSTOMER_PROFILE"
	// CategoryCustom is Attributes.Custom.*.
	CategoryCustom Category = "CUSTOM"
)

// Placeholder is one placeholder found in a text.
type Placeholder struct {
	// Path is the text between the braces without surrounding white space,
	// e.g. "Attributes.Customer.FirstName". It is the key Render reports.
	Path string
	// Category is the path's category.
	Category Category
	// Field is the part of Path after "Attributes.<Category>.", e.g.
	// "FirstName", "Attributes.vip" or a custom key.
	Field string
}

const pathPrefix = "Attributes."

// parsePath classifies the text between "{{" and "}}". ok is false when it is
// not a placeholder path, which leaves it verbatim and unreported.
func parsePath(inner string) (p Placeholder, ok bool) {
	path := strings.Trim(inner, " \t\r\n\f\v")
	if !strings.HasPrefix(path, pathPrefix) || strings.ContainsAny(path, " \t\r\n\f\v{}") {
		return Placeholder{}, false
	}
	rest := path[len(pathPrefix):]
	dot := strings.IndexByte(rest, '.')
	if dot < 0 || dot == len(rest)-1 {
		return Placeholder{}, false
	}
	var c Category
	switch rest[:dot] {
	case "System":
		c = CategorySystem
	case "Agent":
		c = CategoryAgent
	case "Customer":
		c = CategoryCustomerProfile
	case "Custom":
		c = CategoryCustom
	default:
		return Placeholder{}, false
	}
	return Placeholder{Path: path, Category: c, Field: rest[dot+1:]}, true
}

// lookup returns the value of p in a; ok is false when a has none.
func (a *Attributes) lookup(p Placeholder) (v string, ok bool) {
	if a == nil {
		return "", false
	}
	switch p.Category {
	case CategoryCustom:
		v, ok = a.Custom[p.Field]
		return v, ok
	case CategoryCustomerProfile:
		if key, isCustom := strings.CutPrefix(p.Field, "Attributes."); isCustom {
			v, ok = a.Customer.Custom[key]
			return v, ok
		}
		camel, known := customerFields[p.Field]
		if !known {
			return "", false
		}
		v, ok = a.Customer.Fields[camel]
		return v, ok
	case CategoryAgent:
		switch p.Field {
		case "FirstName":
			v = a.Agent.FirstName
		case "LastName":
			v = a.Agent.LastName
		}
	case CategorySystem:
		switch p.Field {
		case "Name":
			v = a.System.Name
		case "CustomerEndpointAddress":
			v = a.System.CustomerEndpoint.Address
		case "SystemEmailAddress":
			v = a.System.SystemEndpoint.Address
		}
	}
	return v, v != ""
}

// scanner walks the "{{...}}" tokens of a text in one forward pass.
type scanner struct {
	s   string
	pos int // start of the text not yet returned
}

// next returns the literal text before the next token and the token's inner
// text. done is true when no token is left; lit is then the rest of the text.
func (sc *scanner) next() (lit, tok, inner string, done bool) {
	rest := sc.s[sc.pos:]
	open := strings.Index(rest, "{{")
	if open < 0 {
		sc.pos = len(sc.s)
		return rest, "", "", true
	}
	closing := strings.Index(rest[open+2:], "}}")
	if closing < 0 {
		// An unterminated "{{": no later "{{" can close either.
		sc.pos = len(sc.s)
		return rest, "", "", true
	}
	end := open + 2 + closing + 2
	sc.pos += end
	return rest[:open], rest[open:end], rest[open+2 : end-2], false
}

// Render substitutes the placeholders of s with values from attrs (nil means
// no values), escaping them for HTML when mode is HTML. Placeholders without a
// value are left verbatim and their paths returned in missing, in the order
// first seen and without duplicates. See the package documentation for the
// rules.
func Render(s string, attrs *Attributes, mode Mode) (out string, missing []string) {
	if !strings.Contains(s, "{{") {
		return s, nil
	}
	var b strings.Builder
	b.Grow(len(s) + len(s)/4)
	var seen map[string]struct{} // used once missing grows past a few entries
	sc := scanner{s: s}
	for {
		lit, tok, inner, done := sc.next()
		b.WriteString(lit)
		if done {
			break
		}
		p, ok := parsePath(inner)
		if !ok {
			b.WriteString(tok)
			continue
		}
		if v, ok := attrs.lookup(p); ok {
			if mode == HTML {
				writeEscaped(&b, v)
			} else {
				b.WriteString(v)
			}
			continue
		}
		b.WriteString(tok)
		missing, seen = addOnce(missing, seen, p.Path)
	}
	return b.String(), missing
}

// addOnce appends key to list unless it is already there, in time independent
// of the list's length once it is long.
func addOnce(list []string, seen map[string]struct{}, key string) ([]string, map[string]struct{}) {
	const linear = 8
	if seen == nil {
		for _, k := range list {
			if k == key {
				return list, nil
			}
		}
		list = append(list, key)
		if len(list) > linear {
			seen = make(map[string]struct{}, 2*len(list))
			for _, k := range list {
				seen[k] = struct{}{}
			}
		}
		return list, seen
	}
	if _, ok := seen[key]; ok {
		return list, seen
	}
	seen[key] = struct{}{}
	return append(list, key), seen
}

// writeEscaped writes v with &, <, >, " and ' replaced by the entities
// html.EscapeString uses.
func writeEscaped(b *strings.Builder, v string) {
	last := 0
	for i := 0; i < len(v); i++ {
		var esc string
		switch v[i] {
		case '&':
			esc = "&amp;"
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		case '"':
			esc = "&#34;"
		case '\'':
			esc = "&#39;"
		default:
			continue
		}
		b.WriteString(v[last:i])
		b.WriteString(esc)
		last = i + 1
	}
	b.WriteString(v[last:])
}

// Placeholders returns the placeholders used in s, in the order first seen
// and without duplicate paths, whether or not any value exists for them.
// Text in braces that is not a placeholder path is not listed.
func Placeholders(s string) []Placeholder {
	var out []Placeholder
	var seen map[string]struct{}
	sc := scanner{s: s}
	for {
		_, _, inner, done := sc.next()
		if done {
			return out
		}
		p, ok := parsePath(inner)
		if !ok {
			continue
		}
		if seen == nil {
			seen = make(map[string]struct{})
		}
		if _, dup := seen[p.Path]; dup {
			continue
		}
		seen[p.Path] = struct{}{}
		out = append(out, p)
	}
}
