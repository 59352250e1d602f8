package apimodel

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Bind builds the input document of op from the parts of an HTTP request:
// the path labels from Match (already percent-decoded), the query, the
// headers and the JSON body. An empty body is an empty object. Values taken
// from the URI, query and headers are typed as in a JSON body: integers and
// floats become json.Number, booleans bool, timestamps the body form of
// their shape, repeated query keys (or comma-separated header values) a list.
// A value that does not parse is kept as a string so that Validate reports
// it. Members bound outside the body are never taken from the body.
//
// A body that is not JSON, or whose top level is not an object, gives a
// *ValidationError with a ConstraintSyntax violation.
func (s *Service) Bind(op *Operation, labels map[string]string, query url.Values, header http.Header, body []byte) (map[string]any, error) {
	doc, err := decodeBody(body)
	if err != nil {
		return nil, err
	}
	if op.Input == "" {
		return doc, nil
	}
	in, ok := s.Shapes[op.Input]
	if !ok {
		return nil, &unknownShapeError{service: s.Name, shape: op.Input}
	}
	for _, m := range in.Members {
		if m.Location == LocationBody {
			continue
		}
		delete(doc, m.Name)
		var v any
		switch m.Location {
		case LocationURI:
			raw, ok := labels[m.LocationName]
			if !ok {
				continue
			}
			v = fromString(m.Target, raw, TimestampISO8601)
		case LocationQuery:
			v = bindQuery(in, m, query)
		case LocationHeader:
			v = bindHeader(m, header)
		case LocationHeaders:
			v = bindHeaderMap(m, header)
		}
		if v != nil {
			doc[m.Name] = v
		}
	}
	return doc, nil
}

func decodeBody(body []byte) (map[string]any, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return map[string]any{}, nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var x any
	if err := dec.Decode(&x); err != nil {
		return nil, syntaxError("The request body is not valid JSON: " + err.Error())
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, syntaxError("The request body has data after its JSON value")
	}
	obj, ok := x.(map[string]any)
	if !ok {
		return nil, syntaxError("The request body must be a JSON object")
	}
	return obj, nil
}

func syntaxError(msg string) *ValidationError {
	return &ValidationError{Violations: []Violation{{Constraint: ConstraintSyntax, Message: msg}}}
}

func bindQuery(in *Shape, m *Member, query url.Values) any {
	t := m.Target
	if t.Type == TypeMap {
		// A map bound to the query string takes every parameter that no
		// other member of the input names.
		out := map[string]any{}
		for k, vals := range query {
			if len(vals) == 0 || boundQueryName(in, k) {
				continue
			}
			if t.Value.Type == TypeList {
				out[k] = listFromStrings(t.Value.Member, vals, TimestampISO8601)
			} else {
				out[k] = fromString(t.Value, vals[0], TimestampISO8601)
			}
		}
		if len(out) == 0 {
			return nil
		}
		return out
	}
	vals, ok := query[m.LocationName]
	if !ok || len(vals) == 0 {
		return nil
	}
	if t.Type == TypeList {
		return listFromStrings(t.Member, vals, TimestampISO8601)
	}
	return fromString(t, vals[0], TimestampISO8601)
}

func boundQueryName(in *Shape, name string) bool {
	for _, m := range in.Members {
		if m.Location == LocationQuery && m.Target.Type != TypeMap && m.LocationName == name {
			return true
		}
	}
	return false
}

func bindHeader(m *Member, header http.Header) any {
	vals := header.Values(m.LocationName)
	if len(vals) == 0 {
		return nil
	}
	if m.Target.Type == TypeList {
		var parts []string
		for _, v := range vals {
			for p := range strings.SplitSeq(v, ",") {
				parts = append(parts, strings.TrimSpace(p))
			}
		}
		return listFromStrings(m.Target.Member, parts, TimestampHTTP)
	}
	return fromString(m.Target, vals[0], TimestampHTTP)
}

func bindHeaderMap(m *Member, header http.Header) any {
	prefix := strings.ToLower(m.LocationName)
	out := map[string]any{}
	for k, vals := range header {
		lk := strings.ToLower(k)
		if len(vals) == 0 || !strings.HasPrefix(lk, prefix) {
			continue
		}
		out[lk[len(prefix):]] = fromString(m.Target.Value, vals[0], TimestampHTTP)
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func listFromStrings(elem *Shape, vals []string, tsDefault TimestampFormat) []any {
	out := make([]any, len(vals))
	for i, v := range vals {
		out[i] = fromString(elem, v, tsDefault)
	}
	return out
}

// fromString types a value taken from the URI, the query or a header.
// tsDefault is the location's timestamp format when the shape has none.
func fromString(sh *Shape, raw string, tsDefault TimestampFormat) any {
	switch sh.Type {
	case TypeInteger, TypeLong, TypeFloat, TypeDouble:
		return json.Number(raw)
	case TypeBoolean:
		switch raw {
		case "true":
			return true
		case "false":
			return false
		}
	case TypeTimestamp:
		in := sh.TimestampFormat
		if in == TimestampDefault {
			in = tsDefault
		}
		t, ok := parseTimestamp(in, raw)
		if !ok {
			return raw
		}
		switch sh.TimestampFormat {
		case TimestampISO8601:
			return t.UTC().Format(time.RFC3339Nano)
		case TimestampHTTP:
			return t.UTC().Format(http.TimeFormat)
		}
		return json.Number(strconv.FormatFloat(float64(t.UnixNano())/1e9, 'f', -1, 64))
	}
	return raw
}

func parseTimestamp(format TimestampFormat, raw string) (time.Time, bool) {
	switch format {
	case TimestampISO8601:
		t, err := time.Parse(time.RFC3339Nano, raw)
		return t, err == nil
	case TimestampHTTP:
		t, err := http.ParseTime(raw)
		return t, err == nil
	}
	f, err := strconv.ParseFloat(raw, 64)
	if err != nil {
		return time.Time{}, false
	}
	sec := int64(f)
	return time.Unix(sec, int64((f-float64(sec))*1e9)), true
}
