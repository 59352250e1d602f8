package awsapi

import (
	"context"
	"testing"

	"github.com/connectmail/connectmail/apimodel"
)

// decodeBenchCases are request bodies of the hot operations.
var decodeBenchCases = []struct {
	op, path, body string
	decode         func(m *apimodel.Service, op string) Handler
}{
	{"CreateContact", "/contact/create-contact",
		`{"InstanceId":"5b6c7d8e-1a2b-4c3d-8e9f-0a1b2c3d4e5f","Channel":"EMAIL","InitiationMethod":"OUTBOUND","UserInfo":{"UserId":"agent"}}`,
		decodeInto[createContactInput]},
	{"StartOutboundEmailContact", "/contact/outbound-email",
		`{"InstanceId":"5b6c7d8e-1a2b-4c3d-8e9f-0a1b2c3d4e5f","ContactId":"0195f0c2-1a2b-7c3d-8e9f-0a1b2c3d4e5f","FromEmailAddress":{"EmailAddress":"support@example.com"},` +
			`"DestinationEmailAddress":{"EmailAddress":"customer@example.org"},"EmailMessage":{"MessageSourceType":"RAW",` +
			`"RawMessage":{"Subject":"Order update","Body":"<p>Your order shipped.</p>","ContentType":"text/html"}}}`,
		decodeInto[startOutboundEmailContactInput]},
	{"StartEmailContact", "/contact/email",
		`{"InstanceId":"5b6c7d8e-1a2b-4c3d-8e9f-0a1b2c3d4e5f","FromEmailAddress":{"EmailAddress":"customer@example.org","DisplayName":"Customer"},` +
			`"DestinationEmailAddress":"support@example.com","Name":"n","Description":"d","References":{"site":{"Type":"URL","Value":"https://example.com"}},` +
			`"EmailMessage":{"MessageSourceType":"RAW","RawMessage":{"Subject":"Hello","Body":"Hi there","ContentType":"text/plain","Headers":{"MESSAGE_ID":"<m@example.org>"}}},` +
			`"AdditionalRecipients":{"ToAddresses":[{"EmailAddress":"a@example.org"}],"CcAddresses":[{"EmailAddress":"b@example.org"}]},` +
			`"Attributes":{"a":"1","b":"2"},"SegmentAttributes":{"connect:Subtype":{"ValueString":"connect:Email"}},"ClientToken":"tok"}`,
		decodeInto[startEmailContactInput]},
}

// BenchmarkDecodeRequest measures what the server does with a request body
// before the service runs: bind it and the URI to the input document,
// validate that against the model and decode it into the input type.
func BenchmarkDecodeRequest(b *testing.B) {
	m := apimodel.Connect()
	for _, tc := range decodeBenchCases {
		b.Run(tc.op, func(b *testing.B) {
			op, labels, ok := m.Match("PUT", tc.path)
			if !ok || op.Name != tc.op {
				b.Fatalf("%s does not route to %s", tc.path, tc.op)
			}
			body := []byte(tc.body)
			h := tc.decode(m, tc.op)
			b.ReportAllocs()
			for b.Loop() {
				doc, err := m.Bind(op, labels, nil, nil, body)
				if err == nil {
					err = m.Validate(op.Input, doc)
				}
				if err == nil {
					_, err = h(context.Background(), &Call{Op: op, Labels: labels, Body: body, Doc: doc})
				}
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// decodeInto is the handler of op that only decodes its input into In.
func decodeInto[In any](m *apimodel.Service, op string) Handler {
	return handle(m, op, func(context.Context, *Call, *In) (any, error) { return nil, nil })
}
