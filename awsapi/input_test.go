package awsapi

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/connectmail/connectmail/apimodel"
)

// TestServicesFitTheModel builds both services: every wire input type of a
// handler must fit its operation's input shape (newInputDecoder panics
// otherwise), and the operations with a handler are exactly those the
// generator's list supports.
func TestServicesFitTheModel(t *testing.T) {
	for name, svc := range map[string]*Service{"connect": ConnectService(nil), "qconnect": QConnectService(nil, nil)} {
		for op := range svc.Handlers {
			if o, ok := svc.Model.Ops[op]; !ok || !o.Supported {
				t.Errorf("%s: a handler for %s, which the generator's list does not support", name, op)
			}
		}
		for op, o := range svc.Model.Ops {
			if o.Supported && svc.Handlers[op] == nil {
				t.Errorf("%s: the generator's list supports %s, which has no handler", name, op)
			}
		}
	}
}

// TestInputDecoderRefusesMisfits: wire input types that do not fit the
// model are refused when the handler is made, naming the field.
func TestInputDecoderRefusesMisfits(t *testing.T) {
	m := apimodel.Connect()
	for _, tc := range []struct {
		name string
		typ  reflect.Type
		want string
	}{
		{"unknown member", reflect.TypeFor[struct {
			InstanceID string `json:"InstanceID"`
		}](), `has no member "InstanceID"`},
		{"string for a structure", reflect.TypeFor[struct {
			UserInfo string `json:"UserInfo"`
		}](), "UserInfo: Go type string cannot hold the structure shape"},
		{"string for an integer", reflect.TypeFor[struct {
			Expiry string `json:"ExpiryDurationInMinutes"`
		}](), "Expiry: Go type string cannot hold the integer shape"},
		{"slice for a map", reflect.TypeFor[struct {
			Attributes []string `json:"Attributes"`
		}](), "Attributes: Go type []string cannot hold the map shape"},
		{"nested", reflect.TypeFor[struct {
			References map[string]struct {
				Kind string `json:"Kind"`
			} `json:"References"`
		}](), `References{}.Kind: the shape Reference has no member "Kind"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				r := recover()
				if s, _ := r.(string); !strings.Contains(s, tc.want) {
					t.Fatalf("panic %v, want one containing %q", r, tc.want)
				}
			}()
			newInputDecoder(m, "CreateContact", tc.typ)
		})
	}
}

// TestInputDecoderAsJSON: decoding a validated input document gives what
// encoding/json gives for the same body.
func TestInputDecoderAsJSON(t *testing.T) {
	for _, tc := range []struct {
		op, path, body string
		typ            reflect.Type
	}{
		{"CreateContact", "/contact/create-contact",
			`{"Attributes":{"a":"1","b":""},"Channel":"EMAIL","ExpiryDurationInMinutes":60,"InitiationMethod":"OUTBOUND","InstanceId":"i",` +
				`"Name":"n","References":{"r":{"Type":"URL","Value":"https://example.com"}},` +
				`"SegmentAttributes":{"connect:Subtype":{"ValueString":"connect:Email"},"x":{"ValueMap":{"y":{"ValueInteger":3}}}},"UserInfo":{"UserId":"agent"}}`,
			reflect.TypeFor[createContactInput]()},
		{"StartOutboundEmailContact", "/contact/outbound-email",
			`{"InstanceId":"i","ContactId":"c","FromEmailAddress":{"EmailAddress":"a@example.com","DisplayName":"A"},` +
				`"DestinationEmailAddress":{"EmailAddress":"b@example.org"},"AdditionalRecipients":{"CcEmailAddresses":[{"EmailAddress":"c@example.org"}]},` +
				`"EmailMessage":{"MessageSourceType":"TEMPLATE","TemplatedMessageConfig":{"KnowledgeBaseId":"kb","MessageTemplateId":"mt",` +
				`"TemplateAttributes":{"CustomAttributes":{"k":"v"},"CustomerProfileAttributes":"{}"}}},"ClientToken":"tok"}`,
			reflect.TypeFor[startOutboundEmailContactInput]()},
		{"SearchEmailAddresses", "/search-email-addresses",
			`{"InstanceId":"i","MaxResults":5,"SearchCriteria":{"OrConditions":[{"StringCondition":{"FieldName":"EmailAddress","Value":"a","ComparisonType":"CONTAINS"}},` +
				`{"AndConditions":[{"StringCondition":{"FieldName":"DisplayName","Value":"b","ComparisonType":"EXACT"}}]}]},` +
				`"SearchFilter":{"TagFilter":{"OrConditions":[[{"TagKey":"k","TagValue":"v"}]],"AndConditions":[{"TagKey":"a"}]}}}`,
			reflect.TypeFor[searchEmailAddressesInput]()},
		{"UpdateEmailAddressMetadata", "/email-addresses/i/e",
			`{"Description":"","DisplayName":null}`,
			reflect.TypeFor[updateEmailAddressMetadataInput]()},
		{"CreateMessageTemplate", "/knowledgeBases/0b5e4d4c-1a2b-4c3d-8e9f-0a1b2c3d4e5f/messageTemplates",
			`{"name":"n","channelSubtype":"EMAIL","content":{"email":{"subject":"s","body":{"plainText":{"content":"t"},"html":{"content":"<p>h</p>"}},` +
				`"headers":[{"name":"X-A","value":"1"}]}},"defaultAttributes":{"customAttributes":{"a":"b"},"systemAttributes":{"name":"x"},"customerProfileAttributes":{"firstName":"Ana","custom":{"c":"d"}}},` +
				`"groupingConfiguration":{"criteria":"RoutingProfileArn","values":["v"]},"tags":{"t":"u"}}`,
			reflect.TypeFor[createMessageTemplateInput]()},
	} {
		t.Run(tc.op, func(t *testing.T) {
			m := apimodel.Connect()
			if strings.HasPrefix(tc.path, "/knowledgeBases") {
				m = apimodel.QConnect()
			}
			method := "PUT"
			if tc.op == "SearchEmailAddresses" || tc.op == "UpdateEmailAddressMetadata" || tc.op == "CreateMessageTemplate" {
				method = "POST"
			}
			op, labels, ok := m.Match(method, tc.path)
			if !ok || op.Name != tc.op {
				t.Fatalf("%s %s does not route to %s", method, tc.path, tc.op)
			}
			doc, err := m.Bind(op, labels, nil, nil, []byte(tc.body))
			if err == nil {
				err = m.Validate(op.Input, doc)
			}
			if err != nil {
				t.Fatal(err)
			}
			got := reflect.New(tc.typ)
			if err := newInputDecoder(m, tc.op, tc.typ).decode(doc, got.Interface()); err != nil {
				t.Fatal(err)
			}
			want := reflect.New(tc.typ)
			if err := json.Unmarshal([]byte(tc.body), want.Interface()); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got.Interface(), want.Interface()) {
				t.Fatalf("decoded\n%+v\nencoding/json\n%+v", got.Elem(), want.Elem())
			}
		})
	}
}

// TestHandleDecodesTheDocument: a handler made by handle sees the call's
// document decoded, and fills json:"-" fields from the call itself.
func TestHandleDecodesTheDocument(t *testing.T) {
	m := apimodel.Connect()
	var seen *createEmailAddressInput
	h := handle(m, "CreateEmailAddress", func(_ context.Context, c *Call, in *createEmailAddressInput) (any, error) {
		in.InstanceID = c.Labels["InstanceId"]
		seen = in
		return nil, nil
	})
	doc := map[string]any{"InstanceId": "i", "EmailAddress": "a@example.com", "Tags": map[string]any{"k": "v"}}
	if _, err := h(context.Background(), &Call{Labels: map[string]string{"InstanceId": "i"}, Doc: doc}); err != nil {
		t.Fatal(err)
	}
	want := &createEmailAddressInput{InstanceID: "i", EmailAddress: "a@example.com", Tags: map[string]string{"k": "v"}}
	if !reflect.DeepEqual(seen, want) {
		t.Fatalf("decoded %+v, want %+v", seen, want)
	}
	// A value of the wrong type (which Validate would have refused) is an invalid request, not a panic.
	if _, err := h(context.Background(), &Call{Doc: map[string]any{"EmailAddress": json.Number("1")}}); err == nil || !strings.Contains(err.Error(), "could not be parsed") {
		t.Fatalf("wrong type: %v", err)
	}
}

// TestInputDecoderMatchesMemberNamesExactly: members are taken under their
// model names only. (encoding/json matched field names ignoring case, so a
// mis-cased member, which validation ignores as unknown, used to reach the
// service unvalidated.)
func TestInputDecoderMatchesMemberNamesExactly(t *testing.T) {
	m := apimodel.Connect()
	var in createEmailAddressInput
	doc := map[string]any{"EmailAddress": "a@example.com", "displayname": "not validated", "DESCRIPTION": "x"}
	if err := newInputDecoder(m, "CreateEmailAddress", reflect.TypeFor[createEmailAddressInput]()).decode(doc, &in); err != nil {
		t.Fatal(err)
	}
	if in.EmailAddress != "a@example.com" || in.DisplayName != "" || in.Description != "" {
		t.Fatalf("decoded %+v", in)
	}
}
