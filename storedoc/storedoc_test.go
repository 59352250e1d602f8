package storedoc

import (
	"reflect"
	"testing"

	"github.com/connectmail/connectmail/connect"
)

// TestDocuments: each document is written as the stores wrote it before
// the domain lost its JSON shapes, and reads back to the same value; what
// earlier versions wrote (SegmentAttributes as the request gave them,
// whitespace and all) reads too.
func TestDocuments(t *testing.T) {
	subtype, n := "connect:Email", 3
	for _, tc := range []struct {
		name    string
		value   any
		written string
		older   []string
		encode  func(any) []byte
		decode  func([]byte) (any, error)
	}{
		{"endpoints", []connect.Endpoint{{Address: "a@example.org", DisplayName: "A"}, {Address: "b@example.org"}},
			`[{"Address":"a@example.org","DisplayName":"A"},{"Address":"b@example.org"}]`, nil,
			func(v any) []byte { return Endpoints(v.([]connect.Endpoint)) },
			func(b []byte) (any, error) { return ParseEndpoints(b) }},
		{"references", map[string]connect.Reference{"site": {Type: "URL", Value: "https://example.com"}, "f": {Type: "ATTACHMENT", Value: "u", Status: "APPROVED", ARN: "arn:f"}},
			`{"f":{"Value":"u","Type":"ATTACHMENT","Status":"APPROVED","Arn":"arn:f"},"site":{"Value":"https://example.com","Type":"URL"}}`,
			[]string{`{"site": {"Type": "URL", "Value": "https://example.com"}, "f": {"Type":"ATTACHMENT","Value":"u","Status":"APPROVED","Arn":"arn:f"}}`},
			func(v any) []byte { return References(v.(map[string]connect.Reference)) },
			func(b []byte) (any, error) { return ParseReferences(b) }},
		{"segment attributes", map[string]connect.SegmentAttributeValue{"connect:Subtype": {String: &subtype},
			"x": {Map: map[string]connect.SegmentAttributeValue{"n": {Integer: &n}, "l": {List: []connect.SegmentAttributeValue{}}}}},
			`{"connect:Subtype":{"ValueString":"connect:Email"},"x":{"ValueMap":{"l":{"ValueList":[]},"n":{"ValueInteger":3}}}}`,
			[]string{`{"x": {"ValueMap": {"n": {"ValueInteger": 3}, "l": {"ValueList": []}}}, "connect:Subtype": {"ValueString": "connect:Email"}}`},
			func(v any) []byte { return SegmentAttributes(v.(map[string]connect.SegmentAttributeValue)) },
			func(b []byte) (any, error) { return ParseSegmentAttributes(b) }},
	} {
		if got := string(tc.encode(tc.value)); got != tc.written {
			t.Errorf("%s: written as %s, want %s", tc.name, got, tc.written)
		}
		for _, raw := range append([]string{tc.written}, tc.older...) {
			got, err := tc.decode([]byte(raw))
			if err != nil || !reflect.DeepEqual(got, tc.value) {
				t.Errorf("%s: %s reads as %#v (%v), want %#v", tc.name, raw, got, err, tc.value)
			}
		}
	}
	if Endpoints(nil) != nil || References(map[string]connect.Reference{}) != nil || SegmentAttributes(nil) != nil {
		t.Error("empty values are not stored as NULL")
	}
	if seg, err := ParseSegmentAttributes([]byte("null")); seg != nil || err != nil {
		t.Errorf("a stored JSON null reads as %v, %v", seg, err)
	}
}
