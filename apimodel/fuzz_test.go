package apimodel

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
)

// FuzzValidate feeds arbitrary JSON to the StartOutboundEmailContact
// validator: it must not panic, and it returns nil or a *ValidationError
// with at most MaxViolations violations, each with a message.
func FuzzValidate(f *testing.F) {
	f.Add([]byte(validOutbound))
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"InstanceId":1,"EmailMessage":{"MessageSourceType":"TEMPLATE","TemplatedMessageConfig":{"TemplateAttributes":{"CustomAttributes":{"":null}}}}}`))
	f.Add([]byte(`{"AdditionalRecipients":{"CcEmailAddresses":[null,{},"x",[1]]},"DestinationEmailAddress":[]}`))
	f.Add([]byte(`[{"a":1}]`))
	f.Add([]byte(`"x"`))
	c := Connect()
	f.Fuzz(func(t *testing.T, data []byte) {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		var doc any
		if dec.Decode(&doc) != nil {
			return
		}
		err := c.Validate("StartOutboundEmailContactRequest", doc)
		if err == nil {
			return
		}
		var ve *ValidationError
		if !errors.As(err, &ve) {
			t.Fatalf("error of type %T: %v", err, err)
		}
		if n := len(ve.Violations); n == 0 || n > MaxViolations {
			t.Fatalf("%d violations", n)
		}
		for _, v := range ve.Violations {
			if v.Message == "" || v.Constraint == "" {
				t.Fatalf("empty violation %+v", v)
			}
		}
		_ = ve.Error()
	})
}

func BenchmarkValidateStartOutboundEmailContact(b *testing.B) {
	c := Connect()
	doc := decodeDoc(b, validOutbound)
	if err := c.Validate("StartOutboundEmailContactRequest", doc); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := c.Validate("StartOutboundEmailContactRequest", doc); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkValidateStartOutboundEmailContactInvalid(b *testing.B) {
	c := Connect()
	doc := outbound(b, func(d map[string]any) {
		obj(d, "DestinationEmailAddress")["EmailAddress"] = "x@y"
		delete(d, "InstanceId")
	})
	b.ReportAllocs()
	for b.Loop() {
		if err := c.Validate("StartOutboundEmailContactRequest", doc); err == nil {
			b.Fatal("valid")
		}
	}
}

func BenchmarkMatch(b *testing.B) {
	q := QConnect()
	const path = "/knowledgeBases/0b5e4d4c-1a2b-4c3d-8e9f-0a1b2c3d4e5f/messageTemplates/9a8b7c6d-1a2b-4c3d-8e9f-0a1b2c3d4e5f%3A%24LATEST"
	b.ReportAllocs()
	for b.Loop() {
		if _, _, ok := q.Match("GET", path); !ok {
			b.Fatal("no match")
		}
	}
}
