package apimodel

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func decodeDoc(t testing.TB, s string) any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("bad test JSON %s: %v", s, err)
	}
	return v
}

const validOutbound = `{
	"InstanceId": "8c6b3a4e-1111-4222-8333-944455556666",
	"ContactId": "c0ffee00-1111-4222-8333-944455556666",
	"FromEmailAddress": {"EmailAddress": "support@example.com", "DisplayName": "Support"},
	"DestinationEmailAddress": {"EmailAddress": "customer@example.org"},
	"AdditionalRecipients": {"CcEmailAddresses": [{"EmailAddress": "cc1@example.org"}, {"EmailAddress": "cc2@example.org", "DisplayName": "Cc Two"}]},
	"EmailMessage": {"MessageSourceType": "RAW", "RawMessage": {"Subject": "Re: order", "Body": "<p>hi</p>", "ContentType": "text/html"}},
	"ClientToken": "5e1d1b2c-1111-4222-8333-944455556666"
}`

// outbound returns the valid StartOutboundEmailContact input changed by
// edit.
func outbound(t testing.TB, edit func(doc map[string]any)) any {
	doc := decodeDoc(t, validOutbound).(map[string]any)
	if edit != nil {
		edit(doc)
	}
	return doc
}

func obj(doc map[string]any, path ...string) map[string]any {
	for _, p := range path {
		doc = doc[p].(map[string]any)
	}
	return doc
}

func ccList(n int, addr string) []any {
	l := make([]any, n)
	for i := range l {
		l[i] = map[string]any{"EmailAddress": addr}
	}
	return l
}

func tagMap(n int) map[string]any {
	m := map[string]any{}
	for i := range n {
		m[fmt.Sprintf("k%02d", i)] = "v"
	}
	return m
}

type validateCase struct {
	name  string
	svc   *Service
	shape string
	doc   any
	// want is the exact Error() text; "" means valid.
	want string
	// kinds are the expected constraint kinds, in order (checked when set).
	kinds []ConstraintKind
}

func runValidateCases(t *testing.T, cases []validateCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.svc.Validate(tc.shape, tc.doc)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("want valid, got %v", err)
				}
				return
			}
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("want *ValidationError %q, got %v", tc.want, err)
			}
			if got := ve.Error(); got != tc.want {
				t.Errorf("message\n got: %s\nwant: %s", got, tc.want)
			}
			if tc.kinds != nil {
				var got []ConstraintKind
				for _, v := range ve.Violations {
					got = append(got, v.Constraint)
				}
				if fmt.Sprint(got) != fmt.Sprint(tc.kinds) {
					t.Errorf("constraint kinds %v, want %v", got, tc.kinds)
				}
			}
		})
	}
}

func TestValidateStartOutboundEmailContact(t *testing.T) {
	c := Connect()
	const shape = "StartOutboundEmailContactRequest"
	setDest := func(addr string) func(map[string]any) {
		return func(d map[string]any) { obj(d, "DestinationEmailAddress")["EmailAddress"] = addr }
	}
	const emailPattern = `Member must satisfy regular expression pattern: ^[^\s@]+@[^\s@]+\.[^\s@]+$`
	badDest := "1 validation error detected: Value at 'destinationEmailAddress.emailAddress' failed to satisfy constraint: " + emailPattern
	cases := []validateCase{
		{name: "valid", doc: outbound(t, nil)},
		{name: "minimal email", doc: outbound(t, setDest("a@b.c"))},
		{name: "unknown members ignored", doc: outbound(t, func(d map[string]any) {
			d["Bcc"] = "whatever"
			obj(d, "EmailMessage")["Extra"] = []any{1, 2}
		})},
		{name: "null optional member is absent", doc: outbound(t, func(d map[string]any) { d["FromEmailAddress"] = nil })},
		{name: "space in local part", doc: outbound(t, setDest("a b@c.d")), want: badDest, kinds: []ConstraintKind{ConstraintPattern}},
		{name: "no dot in domain", doc: outbound(t, setDest("x@y")), want: badDest},
		{name: "trailing text after a valid address", doc: outbound(t, setDest("x@y.z and more")), want: badDest},
		{name: "punctuation in local part", doc: outbound(t, setDest("<x+tag@y.z"))},
		{name: "ECMA whitespace (no-break space) refused", doc: outbound(t, setDest("a\u00a0b@c.d")), want: badDest},
		{name: "line separator refused", doc: outbound(t, setDest("a@c.d\u2028")), want: badDest},
		{name: "email too long", doc: outbound(t, setDest(strings.Repeat("a", 251)+"@b.cd")),
			want:  "1 validation error detected: Value at 'destinationEmailAddress.emailAddress' failed to satisfy constraint: Member must have length less than or equal to 255",
			kinds: []ConstraintKind{ConstraintMaxLength}},
		{name: "51 CC addresses", doc: outbound(t, func(d map[string]any) {
			obj(d, "AdditionalRecipients")["CcEmailAddresses"] = ccList(51, "cc@example.org")
		}), kinds: []ConstraintKind{ConstraintMaxLength},
			want: "1 validation error detected: Value '" + renderForTest(c.Shapes["EmailAddressRecipientList"], ccList(51, "cc@example.org")) + "' at 'additionalRecipients.ccEmailAddresses' failed to satisfy constraint: Member must have length less than or equal to 50"},
		{name: "50 CC addresses", doc: outbound(t, func(d map[string]any) {
			obj(d, "AdditionalRecipients")["CcEmailAddresses"] = ccList(50, "cc@example.org")
		})},
		{name: "empty CC list", doc: outbound(t, func(d map[string]any) {
			obj(d, "AdditionalRecipients")["CcEmailAddresses"] = []any{}
		}), want: "1 validation error detected: Value '[]' at 'additionalRecipients.ccEmailAddresses' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{name: "bad second CC address", doc: outbound(t, func(d map[string]any) {
			obj(d, "AdditionalRecipients")["CcEmailAddresses"] = []any{
				map[string]any{"EmailAddress": "ok@example.org"}, map[string]any{"EmailAddress": "nope"}}
		}), want: "1 validation error detected: Value at 'additionalRecipients.ccEmailAddresses.2.member.emailAddress' failed to satisfy constraint: " + emailPattern},
		{name: "null CC element", doc: outbound(t, func(d map[string]any) {
			obj(d, "AdditionalRecipients")["CcEmailAddresses"] = []any{nil}
		}), want: "1 validation error detected: Value null at 'additionalRecipients.ccEmailAddresses.1.member' failed to satisfy constraint: Member must not be null",
			kinds: []ConstraintKind{ConstraintRequired}},
		{name: "CC element without address", doc: outbound(t, func(d map[string]any) {
			obj(d, "AdditionalRecipients")["CcEmailAddresses"] = []any{map[string]any{"DisplayName": "x"}}
		}), want: "1 validation error detected: Value null at 'additionalRecipients.ccEmailAddresses.1.member.emailAddress' failed to satisfy constraint: Member must not be null"},
		{name: "subject of 998 characters", doc: outbound(t, func(d map[string]any) {
			obj(d, "EmailMessage", "RawMessage")["Subject"] = strings.Repeat("s", 998)
		})},
		{name: "subject of 999 characters (sensitive: no value)", doc: outbound(t, func(d map[string]any) {
			obj(d, "EmailMessage", "RawMessage")["Subject"] = strings.Repeat("s", 999)
		}), want: "1 validation error detected: Value at 'emailMessage.rawMessage.subject' failed to satisfy constraint: Member must have length less than or equal to 998"},
		{name: "subject of 998 two-byte characters", doc: outbound(t, func(d map[string]any) {
			obj(d, "EmailMessage", "RawMessage")["Subject"] = strings.Repeat("é", 998)
		})},
		{name: "subject of 999 two-byte characters", doc: outbound(t, func(d map[string]any) {
			obj(d, "EmailMessage", "RawMessage")["Subject"] = strings.Repeat("é", 999)
		}), want: "1 validation error detected: Value at 'emailMessage.rawMessage.subject' failed to satisfy constraint: Member must have length less than or equal to 998"},
		{name: "empty subject", doc: outbound(t, func(d map[string]any) {
			obj(d, "EmailMessage", "RawMessage")["Subject"] = ""
		}), want: "1 validation error detected: Value at 'emailMessage.rawMessage.subject' failed to satisfy constraint: Member must have length greater than or equal to 1",
			kinds: []ConstraintKind{ConstraintMinLength}},
		{name: "enum", doc: outbound(t, func(d map[string]any) { obj(d, "EmailMessage")["MessageSourceType"] = "FOO" }),
			want:  "1 validation error detected: Value 'FOO' at 'emailMessage.messageSourceType' failed to satisfy constraint: Member must satisfy enum value set: [TEMPLATE, RAW]",
			kinds: []ConstraintKind{ConstraintEnum}},
		{name: "enum is case sensitive", doc: outbound(t, func(d map[string]any) { obj(d, "EmailMessage")["MessageSourceType"] = "raw" }),
			want: "1 validation error detected: Value 'raw' at 'emailMessage.messageSourceType' failed to satisfy constraint: Member must satisfy enum value set: [TEMPLATE, RAW]"},
		{name: "missing required member", doc: outbound(t, func(d map[string]any) { delete(d, "InstanceId") }),
			want: "1 validation error detected: Value null at 'instanceId' failed to satisfy constraint: Member must not be null"},
		{name: "null required member", doc: outbound(t, func(d map[string]any) { d["ContactId"] = nil }),
			want: "1 validation error detected: Value null at 'contactId' failed to satisfy constraint: Member must not be null"},
		{name: "instance id too long", doc: outbound(t, func(d map[string]any) { d["InstanceId"] = strings.Repeat("i", 101) }),
			want: "1 validation error detected: Value '" + strings.Repeat("i", 101) + "' at 'instanceId' failed to satisfy constraint: Member must have length less than or equal to 100"},
		{name: "number for a string", doc: outbound(t, func(d map[string]any) { d["InstanceId"] = json.Number("12") }),
			want:  "1 validation error detected: Value '12' at 'instanceId' failed to satisfy constraint: Member must be a string",
			kinds: []ConstraintKind{ConstraintType}},
		{name: "bool for a string", doc: outbound(t, func(d map[string]any) { d["ContactId"] = true }),
			want: "1 validation error detected: Value 'true' at 'contactId' failed to satisfy constraint: Member must be a string"},
		{name: "object for a string", doc: outbound(t, func(d map[string]any) { d["ContactId"] = map[string]any{"a": "b"} }),
			want: "1 validation error detected: Value at 'contactId' failed to satisfy constraint: Member must be a string"},
		{name: "string for a structure", doc: outbound(t, func(d map[string]any) { d["EmailMessage"] = "RAW" }),
			want: "1 validation error detected: Value 'RAW' at 'emailMessage' failed to satisfy constraint: Member must be a structure"},
		{name: "object for a list", doc: outbound(t, func(d map[string]any) {
			obj(d, "AdditionalRecipients")["CcEmailAddresses"] = map[string]any{}
		}), want: "1 validation error detected: Value at 'additionalRecipients.ccEmailAddresses' failed to satisfy constraint: Member must be a list"},
		{name: "list for a map", doc: outbound(t, func(d map[string]any) {
			obj(d, "EmailMessage")["TemplatedMessageConfig"] = map[string]any{
				"KnowledgeBaseId": "kb", "MessageTemplateId": "mt",
				"TemplateAttributes": map[string]any{"CustomAttributes": []any{"a"}},
			}
		}), want: "1 validation error detected: Value at 'emailMessage.templatedMessageConfig.templateAttributes.customAttributes' failed to satisfy constraint: Member must be a map"},
		{name: "several violations in model order", doc: outbound(t, func(d map[string]any) {
			d["ClientToken"] = strings.Repeat("t", 501)
			obj(d, "EmailMessage")["MessageSourceType"] = "FOO"
			delete(d, "InstanceId")
			obj(d, "DestinationEmailAddress")["EmailAddress"] = "x@y"
		}), kinds: []ConstraintKind{ConstraintRequired, ConstraintPattern, ConstraintEnum, ConstraintMaxLength},
			want: "4 validation errors detected: " +
				"Value null at 'instanceId' failed to satisfy constraint: Member must not be null; " +
				"Value at 'destinationEmailAddress.emailAddress' failed to satisfy constraint: " + emailPattern + "; " +
				"Value 'FOO' at 'emailMessage.messageSourceType' failed to satisfy constraint: Member must satisfy enum value set: [TEMPLATE, RAW]; " +
				"Value '" + strings.Repeat("t", 501) + "' at 'clientToken' failed to satisfy constraint: Member must have length less than or equal to 500"},
		// A violation of the whole document has no path: the message is its text.
		{name: "document not an object", doc: []any{}, want: "Member must be a structure"},
	}
	for i := range cases {
		cases[i].svc, cases[i].shape = c, shape
	}
	runValidateCases(t, cases)
}

// renderForTest renders a value as the validator quotes it (without the
// quotes), to build expected messages for large values.
func renderForTest(sh *Shape, x any) string {
	q := quoteValue(sh, x)
	return q[1 : len(q)-1]
}

func TestValidateConstraintKinds(t *testing.T) {
	c, q := Connect(), QConnect()
	const uuid = "0b5e4d4c-1a2b-4c3d-8e9f-0a1b2c3d4e5f"
	cases := []validateCase{
		// Integers.
		{name: "integer ok", svc: c, shape: "ListInstancesRequest", doc: map[string]any{"MaxResults": json.Number("10")}},
		{name: "integer below min", svc: c, shape: "ListInstancesRequest", doc: map[string]any{"MaxResults": json.Number("0")},
			want:  "1 validation error detected: Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1",
			kinds: []ConstraintKind{ConstraintMinValue}},
		{name: "integer above max", svc: c, shape: "ListInstancesRequest", doc: map[string]any{"MaxResults": json.Number("11")},
			want:  "1 validation error detected: Value '11' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 10",
			kinds: []ConstraintKind{ConstraintMaxValue}},
		{name: "non-integer for integer", svc: c, shape: "ListInstancesRequest", doc: map[string]any{"MaxResults": json.Number("1.5")},
			want: "1 validation error detected: Value '1.5' at 'maxResults' failed to satisfy constraint: Member must be a 32-bit integer"},
		{name: "integer out of 32 bits", svc: c, shape: "ListInstancesRequest", doc: map[string]any{"MaxResults": json.Number("4294967297")},
			want: "1 validation error detected: Value '4294967297' at 'maxResults' failed to satisfy constraint: Member must be a 32-bit integer"},
		{name: "string for integer", svc: c, shape: "ListInstancesRequest", doc: map[string]any{"MaxResults": "5"},
			want: "1 validation error detected: Value '5' at 'maxResults' failed to satisfy constraint: Member must be a 32-bit integer"},
		{name: "float64 integral accepted", svc: c, shape: "ListInstancesRequest", doc: map[string]any{"MaxResults": float64(3)}},
		// Longs.
		{name: "long below min", svc: c, shape: "StartAttachedFileUploadRequest", doc: attachedFile(json.Number("0")),
			want: "1 validation error detected: Value '0' at 'fileSizeInBytes' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{name: "long max int64", svc: c, shape: "StartAttachedFileUploadRequest", doc: attachedFile(json.Number("9223372036854775807"))},
		{name: "long overflow", svc: c, shape: "StartAttachedFileUploadRequest", doc: attachedFile(json.Number("9223372036854775808")),
			want: "1 validation error detected: Value '9223372036854775808' at 'fileSizeInBytes' failed to satisfy constraint: Member must be a 64-bit integer"},
		// Floats.
		{name: "float in range", svc: c, shape: "NullableProficiencyLevel", doc: json.Number("2.5")},
		{name: "float above max", svc: c, shape: "NullableProficiencyLevel", doc: json.Number("5.5"),
			want: "Member must have value less than or equal to 5", kinds: []ConstraintKind{ConstraintMaxValue}},
		{name: "float not a number", svc: c, shape: "NullableProficiencyLevel", doc: "high",
			want: "Member must be a number", kinds: []ConstraintKind{ConstraintType}},
		// Booleans.
		{name: "boolean as string", svc: c, shape: "CreateInstanceRequest",
			doc:  map[string]any{"IdentityManagementType": "CONNECT_MANAGED", "InboundCallsEnabled": "true", "OutboundCallsEnabled": false},
			want: "1 validation error detected: Value 'true' at 'inboundCallsEnabled' failed to satisfy constraint: Member must be a boolean"},
		// Negative lookahead translated to a forbidden prefix.
		{name: "instance alias starting with d-", svc: c, shape: "CreateInstanceRequest",
			doc:  map[string]any{"IdentityManagementType": "CONNECT_MANAGED", "InboundCallsEnabled": true, "OutboundCallsEnabled": false, "InstanceAlias": "d-corp"},
			want: "1 validation error detected: Value at 'instanceAlias' failed to satisfy constraint: Member must satisfy regular expression pattern: ^(?!d-)([\\da-zA-Z]+)([-]*[\\da-zA-Z])*$"},
		{name: "instance alias ok", svc: c, shape: "CreateInstanceRequest",
			doc: map[string]any{"IdentityManagementType": "CONNECT_MANAGED", "InboundCallsEnabled": true, "OutboundCallsEnabled": false, "InstanceAlias": "my-corp-1"}},
		// Timestamps.
		{name: "epoch timestamp", svc: c, shape: "Timestamp", doc: json.Number("1700000000.25")},
		{name: "string for epoch timestamp", svc: c, shape: "Timestamp", doc: "2024-01-01T00:00:00Z",
			want: "Member must be a number of seconds since the epoch", kinds: []ConstraintKind{ConstraintType}},
		{name: "iso8601 timestamp", svc: q, shape: "SyntheticTimestamp_date_time", doc: "2024-05-03T02:41:28.172Z"},
		{name: "bad iso8601 timestamp", svc: q, shape: "SyntheticTimestamp_date_time", doc: "yesterday",
			want: "Member must be an ISO 8601 date-time string"},
		// Maps.
		{name: "tag key aws: refused (connect)", svc: c, shape: "TagResourceRequest",
			doc:   map[string]any{"resourceArn": "arn", "tags": map[string]any{"aws:owner": "me", "team": "x"}},
			kinds: []ConstraintKind{ConstraintPattern},
			want:  "1 validation error detected: Value '{aws:owner=me, team=x}' at 'tags' failed to satisfy constraint: Map keys must satisfy constraint: [Member must satisfy regular expression pattern: ^(?!aws:)[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*$]"},
		{name: "tag key AWS: accepted", svc: c, shape: "TagResourceRequest",
			doc: map[string]any{"resourceArn": "arn", "tags": map[string]any{"AWS:owner": "me", "ünïcode key": "x"}}},
		{name: "tag key aws: refused (qconnect)", svc: q, shape: "TagResourceRequest",
			doc:  map[string]any{"resourceArn": "arn:aws:wisdom:us-east-1:123456789012:knowledge-base/" + uuid, "tags": map[string]any{"aws:x": "v"}},
			want: "1 validation error detected: Value '{aws:x=v}' at 'tags' failed to satisfy constraint: Map keys must satisfy constraint: [Member must satisfy regular expression pattern: ^(?!aws:)[a-zA-Z+-=._:/]+$]"},
		{name: "tag key with space refused (qconnect)", svc: q, shape: "TagResourceRequest",
			doc:  map[string]any{"resourceArn": "arn:aws:wisdom:us-east-1:123456789012:knowledge-base/" + uuid, "tags": map[string]any{"a b": "v"}},
			want: "1 validation error detected: Value '{a b=v}' at 'tags' failed to satisfy constraint: Map keys must satisfy constraint: [Member must satisfy regular expression pattern: ^(?!aws:)[a-zA-Z+-=._:/]+$]"},
		{name: "map key and value violations", svc: c, shape: "TagResourceRequest",
			doc:   map[string]any{"resourceArn": "arn", "tags": map[string]any{"": strings.Repeat("v", 257)}},
			kinds: []ConstraintKind{ConstraintMinLength, ConstraintMaxLength},
			want: "2 validation errors detected: Value '{=" + strings.Repeat("v", 257) + "}' at 'tags' failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length greater than or equal to 1]; " +
				"Value '{=" + strings.Repeat("v", 257) + "}' at 'tags' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 256]"},
		{name: "empty tag map", svc: c, shape: "TagResourceRequest", doc: map[string]any{"resourceArn": "arn", "tags": map[string]any{}},
			want: "1 validation error detected: Value '{}' at 'tags' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{name: "51 tags", svc: c, shape: "TagResourceRequest", doc: map[string]any{"resourceArn": "arn", "tags": tagMap(51)},
			kinds: []ConstraintKind{ConstraintMaxLength},
			want:  "1 validation error detected: Value '" + renderForTest(nil, tagMap(51)) + "' at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50"},
		{name: "null map value", svc: c, shape: "TagResourceRequest", doc: map[string]any{"resourceArn": "arn", "tags": map[string]any{"a": nil}},
			want: "1 validation error detected: Value '{a=null}' at 'tags' failed to satisfy constraint: Map value must satisfy constraint: [Member must not be null]"},
		{name: "map of structures", svc: c, shape: "CreateContactRequest",
			doc: map[string]any{"InstanceId": "i", "Channel": "EMAIL", "InitiationMethod": "OUTBOUND",
				"SegmentAttributes": map[string]any{"connect:Subtype": map[string]any{"ValueString": strings.Repeat("x", 1025)}}},
			want: "1 validation error detected: Value '" + strings.Repeat("x", 1025) + "' at 'segmentAttributes.connect:Subtype.valueString' failed to satisfy constraint: Member must have length less than or equal to 1024"},
		// Lists of scalars.
		{name: "tag keys list", svc: c, shape: "UntagResourceRequest", doc: map[string]any{"resourceArn": "arn", "tagKeys": []any{"ok", "aws:no", ""}},
			kinds: []ConstraintKind{ConstraintPattern},
			want: "1 validation error detected: Value '[ok, aws:no, ]' at 'tagKeys' failed to satisfy constraint: Member must satisfy constraint: " +
				"[Member must satisfy regular expression pattern: ^(?!aws:)[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*$, Member must have length greater than or equal to 1]"},
		{name: "number in a string list", svc: c, shape: "UntagResourceRequest", doc: map[string]any{"resourceArn": "arn", "tagKeys": []any{json.Number("1")}},
			want: "1 validation error detected: Value '[1]' at 'tagKeys' failed to satisfy constraint: Member must satisfy constraint: [Member must be a string]"},
		// Unions.
		{name: "union with one member", svc: q, shape: "CreateMessageTemplateRequest", doc: template(map[string]any{"email": emailContent()})},
		{name: "union with no member", svc: q, shape: "CreateMessageTemplateRequest", doc: template(map[string]any{}),
			want: "1 validation error detected: Value at 'content' failed to satisfy constraint: Member must have exactly one member set", kinds: []ConstraintKind{ConstraintUnion}},
		{name: "union with two members", svc: q, shape: "CreateMessageTemplateRequest",
			doc:  template(map[string]any{"email": emailContent(), "sms": map[string]any{}}),
			want: "1 validation error detected: Value at 'content' failed to satisfy constraint: Member must have exactly one member set, but has 2"},
		{name: "union member null is unset", svc: q, shape: "CreateMessageTemplateRequest",
			doc: template(map[string]any{"email": emailContent(), "sms": nil})},
		{name: "nested union", svc: q, shape: "CreateMessageTemplateRequest",
			doc:  template(map[string]any{"email": map[string]any{"subject": "s", "body": map[string]any{"plainText": map[string]any{}}}}),
			want: "1 validation error detected: Value at 'content.email.body.plainText' failed to satisfy constraint: Member must have exactly one member set"},
		// Q in Connect patterns restored from the Smithy model.
		{name: "uuid knowledge base id", svc: q, shape: "GetKnowledgeBaseRequest", doc: map[string]any{"knowledgeBaseId": uuid}},
		{name: "knowledge base ARN", svc: q, shape: "GetKnowledgeBaseRequest",
			doc: map[string]any{"knowledgeBaseId": "arn:aws:wisdom:us-east-1:123456789012:knowledge-base/" + uuid}},
		{name: "uuid with trailing text", svc: q, shape: "GetKnowledgeBaseRequest", doc: map[string]any{"knowledgeBaseId": uuid + "x"},
			kinds: []ConstraintKind{ConstraintPattern}, want: "1 validation error detected: Value '" + uuid + "x' at 'knowledgeBaseId' failed to satisfy constraint: Member must satisfy regular expression pattern: " +
				"^[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}$|^arn:[a-z-]*?:wisdom:[a-z0-9-]*?:[0-9]{12}:[a-z-]*?/[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}(?:/[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}){0,2}$"},
		{name: "upper-case uuid", svc: q, shape: "GetKnowledgeBaseRequest", doc: map[string]any{"knowledgeBaseId": strings.ToUpper(uuid)}, kinds: []ConstraintKind{ConstraintPattern},
			want: "1 validation error detected: Value '" + strings.ToUpper(uuid) + "' at 'knowledgeBaseId' failed to satisfy constraint: Member must satisfy regular expression pattern: " +
				"^[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}$|^arn:[a-z-]*?:wisdom:[a-z0-9-]*?:[0-9]{12}:[a-z-]*?/[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}(?:/[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}){0,2}$"},
		{name: "qualified template id", svc: q, shape: "GetMessageTemplateRequest",
			doc: map[string]any{"knowledgeBaseId": uuid, "messageTemplateId": uuid + ":$LATEST"}},
		{name: "lower-case qualifier refused", svc: q, shape: "GetMessageTemplateRequest",
			doc: map[string]any{"knowledgeBaseId": uuid, "messageTemplateId": uuid + ":latest"}, kinds: []ConstraintKind{ConstraintPattern},
			want: "1 validation error detected: Value '" + uuid + ":latest' at 'messageTemplateId' failed to satisfy constraint: Member must satisfy regular expression pattern: " +
				"^[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}(:[A-Z0-9_$]+){0,1}$|^arn:[a-z-]*?:wisdom:[a-z0-9-]*?:[0-9]{12}:[a-z-]*?/[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}(?:/[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}){0,2}(:[A-Z0-9_$]+){0,1}$"},
		{name: "name: only the first character is constrained", svc: q, shape: "CreateKnowledgeBaseRequest",
			doc: map[string]any{"name": "Templates! (main)", "knowledgeBaseType": "MESSAGE_TEMPLATES"}},
		{name: "name starting with punctuation", svc: q, shape: "CreateKnowledgeBaseRequest",
			doc:  map[string]any{"name": "!Templates", "knowledgeBaseType": "MESSAGE_TEMPLATES"},
			want: "1 validation error detected: Value '!Templates' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9\\s_.,-]+"},
		{name: "email header key and any header value", svc: q, shape: "CreateMessageTemplateRequest",
			doc: template(map[string]any{"email": map[string]any{"subject": "s", "headers": []any{map[string]any{"name": "X-Tag", "value": "\u00e9\t"}}}})},
		{name: "email header key with colon", svc: q, shape: "CreateMessageTemplateRequest",
			doc:  template(map[string]any{"email": map[string]any{"subject": "s", "headers": []any{map[string]any{"name": "X:Tag", "value": "v"}}}}),
			want: "1 validation error detected: Value 'X:Tag' at 'content.email.headers.1.member.name' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[!-9;-@A-~]+$"},
		{name: "sha256 anchored", svc: q, shape: "CreateMessageTemplateVersionRequest",
			doc: map[string]any{"knowledgeBaseId": uuid, "messageTemplateId": uuid, "messageTemplateContentSha256": "abc-def"}, kinds: []ConstraintKind{ConstraintPattern},
			want: "1 validation error detected: Value 'abc-def' at 'messageTemplateContentSha256' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9]+$"},
		// Sensitive values inside a sensitive map are not echoed.
		{name: "sensitive map values", svc: q, shape: "RenderMessageTemplateRequest",
			doc:  map[string]any{"knowledgeBaseId": uuid, "messageTemplateId": uuid, "attributes": map[string]any{"customAttributes": map[string]any{"k": ""}}},
			want: "1 validation error detected: Value at 'attributes.customAttributes' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length greater than or equal to 1]"},
	}
	runValidateCases(t, cases)
}

func attachedFile(size any) map[string]any {
	return map[string]any{"InstanceId": "i", "FileName": "a.txt", "FileSizeInBytes": size,
		"FileUseCaseType": "ATTACHMENT", "AssociatedResourceArn": "arn:aws:connect:us-east-1:123456789012:instance/i/contact/c"}
}

func template(content map[string]any) map[string]any {
	return map[string]any{"knowledgeBaseId": "0b5e4d4c-1a2b-4c3d-8e9f-0a1b2c3d4e5f", "channelSubtype": "EMAIL", "content": content}
}

func emailContent() map[string]any {
	return map[string]any{"subject": "Hello {{Attributes.Customer.FirstName}}",
		"body": map[string]any{"plainText": map[string]any{"content": "Hi"}, "html": map[string]any{"content": "<p>Hi</p>"}}}
}

func TestValidateMaxViolations(t *testing.T) {
	c := Connect()
	doc := outbound(t, func(d map[string]any) {
		obj(d, "AdditionalRecipients")["CcEmailAddresses"] = ccList(30, "bad")
	})
	err := c.Validate("StartOutboundEmailContactRequest", doc)
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("want *ValidationError, got %v", err)
	}
	if len(ve.Violations) != MaxViolations {
		t.Fatalf("got %d violations, want %d", len(ve.Violations), MaxViolations)
	}
	if !strings.HasPrefix(ve.Error(), fmt.Sprintf("%d validation errors detected: ", MaxViolations)) {
		t.Errorf("message %q", ve.Error()[:60])
	}
	for i, v := range ve.Violations {
		want := fmt.Sprintf("additionalRecipients.ccEmailAddresses.%d.member.emailAddress", i+1)
		if v.Path != want || v.Value != "" {
			t.Errorf("violation %d at %q (value %q), want %q without value", i, v.Path, v.Value, want)
		}
	}
}

func TestValidateDeterministic(t *testing.T) {
	c := Connect()
	tags := map[string]any{}
	for i := range 20 {
		tags[fmt.Sprintf("aws:%d", i)] = strings.Repeat("v", 300+i)
		tags[fmt.Sprintf("%d%s", i, strings.Repeat("k", 130))] = "v"
	}
	doc := map[string]any{"resourceArn": "arn", "tags": tags}
	first := c.Validate("TagResourceRequest", doc).Error()
	for range 50 {
		if got := c.Validate("TagResourceRequest", doc).Error(); got != first {
			t.Fatalf("validation message changed between runs:\n%s\n%s", first, got)
		}
	}
}

func TestValidateBlob(t *testing.T) {
	blob := &Shape{Name: "Blob", Type: TypeBlob, HasMin: true, Min: 2, HasMax: true, Max: 4}
	cases := []struct {
		doc  any
		want string
	}{
		{"AAEC", ""}, // 3 bytes
		{"AA==", "Member must have length greater than or equal to 2"},  // 1 byte
		{"AAECAwQ=", "Member must have length less than or equal to 4"}, // 5 bytes
		{"not base64!", "Member must be a base64-encoded string"},
		{json.Number("1"), "Member must be a base64-encoded string"},
	}
	for _, tc := range cases {
		err := blob.Validate(tc.doc)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tc.want {
			t.Errorf("Validate(%v) = %q, want %q", tc.doc, got, tc.want)
		}
	}
}

func TestValidateDocument(t *testing.T) {
	doc := &Shape{Name: "Doc", Type: TypeDocument}
	for _, x := range []any{nil, "s", json.Number("1"), []any{map[string]any{"a": nil}}, map[string]any{}} {
		if err := doc.Validate(x); err != nil {
			t.Errorf("document %v: %v", x, err)
		}
	}
}

func TestValidateUnknownShape(t *testing.T) {
	err := Connect().Validate("NoSuchShape", map[string]any{})
	if !errors.Is(err, ErrUnknownShape) {
		t.Fatalf("want ErrUnknownShape, got %v", err)
	}
	// Shapes of unsupported operations are not carried.
	if err := Connect().Validate("CreateUserRequest", map[string]any{}); !errors.Is(err, ErrUnknownShape) {
		t.Fatalf("want ErrUnknownShape for an unsupported operation's input, got %v", err)
	}
}

func TestValidateRedactsNestedSensitiveValues(t *testing.T) {
	c := Connect()
	doc := outbound(t, func(d map[string]any) {
		obj(d, "AdditionalRecipients")["CcEmailAddresses"] = ccList(51, "secret@example.org")
	})
	err := c.Validate("StartOutboundEmailContactRequest", doc)
	if err == nil {
		t.Fatal("want a violation")
	}
	msg := err.Error()
	if strings.Contains(msg, "secret@example.org") {
		t.Errorf("sensitive address echoed: %.200s", msg)
	}
	if !strings.Contains(msg, "Value '[{EmailAddress=*** Sensitive Data Redacted ***}, {EmailAddress=") {
		t.Errorf("message %.200s", msg)
	}
}

// TestValidateDeepPath nests a recursive shape deeper than the validator's
// fixed path array.
func TestValidateDeepPath(t *testing.T) {
	leaf := map[string]any{"StringCondition": map[string]any{"ComparisonType": "BAD"}}
	criteria := leaf
	wantPath := "stringCondition.comparisonType"
	for range 12 {
		criteria = map[string]any{"OrConditions": []any{map[string]any{}, criteria}}
		wantPath = "orConditions.2.member." + wantPath
	}
	wantPath = "searchCriteria." + wantPath
	doc := map[string]any{"InstanceId": "i", "SearchCriteria": criteria,
		"SearchFilter": map[string]any{"TagFilter": map[string]any{"AndConditions": []any{map[string]any{"TagKey": json.Number("1")}}}}}
	err := Connect().Validate("SearchEmailAddressesRequest", doc)
	var ve *ValidationError
	if !errors.As(err, &ve) || len(ve.Violations) != 2 {
		t.Fatalf("got %v", err)
	}
	if v := ve.Violations[0]; v.Path != wantPath || v.Constraint != ConstraintEnum || v.Value != "'BAD'" {
		t.Errorf("deep violation %+v, want path %s", v, wantPath)
	}
	if v := ve.Violations[1]; v.Path != "searchFilter.tagFilter.andConditions.1.member.tagKey" || v.Constraint != ConstraintType {
		t.Errorf("path after the deep one: %+v", v)
	}
}
