package apimodel

import (
	"fmt"
	"maps"
	"net/url"
	"strings"
	"testing"
)

type routeCase struct {
	method, path string
	op           string
	labels       map[string]string
}

func checkRoutes(t *testing.T, s *Service, cases []routeCase) {
	t.Helper()
	for _, tc := range cases {
		op, labels, ok := s.Match(tc.method, tc.path)
		if !ok {
			t.Errorf("%s %s %s: no match, want %s", s.Name, tc.method, tc.path, tc.op)
			continue
		}
		if op.Name != tc.op {
			t.Errorf("%s %s %s: matched %s, want %s", s.Name, tc.method, tc.path, op.Name, tc.op)
		}
		if !maps.Equal(labels, tc.labels) {
			t.Errorf("%s %s %s: labels %v, want %v", s.Name, tc.method, tc.path, labels, tc.labels)
		}
		if !op.Supported {
			t.Errorf("%s: not marked supported", op.Name)
		}
	}
}

func TestMatchConnectSupported(t *testing.T) {
	const inst = "8c6b3a4e-1111-4222-8333-944455556666"
	i := map[string]string{"InstanceId": inst}
	with := func(kv ...string) map[string]string {
		m := maps.Clone(i)
		for j := 0; j < len(kv); j += 2 {
			m[kv[j]] = kv[j+1]
		}
		return m
	}
	arn := "arn:aws:connect:us-east-1:123456789012:instance/" + inst
	// The SDKs escape ":" and "/" inside a label.
	escARN := "arn%3Aaws%3Aconnect%3Aus-east-1%3A123456789012%3Ainstance%2F" + inst
	cases := []routeCase{
		{"PUT", "/contact/outbound-email", "StartOutboundEmailContact", nil},
		{"PUT", "/contact/create-contact", "CreateContact", nil},
		{"GET", "/contacts/" + inst + "/c1", "DescribeContact", with("ContactId", "c1")},
		{"POST", "/contact/stop", "StopContact", nil},
		{"PUT", "/contact/email", "StartEmailContact", nil},
		{"PUT", "/instance/" + inst + "/outbound-email", "SendOutboundEmail", i},
		{"PUT", "/email-addresses/" + inst, "CreateEmailAddress", i},
		{"GET", "/email-addresses/" + inst + "/e1", "DescribeEmailAddress", with("EmailAddressId", "e1")},
		{"POST", "/search-email-addresses", "SearchEmailAddresses", nil},
		{"POST", "/email-addresses/" + inst + "/e1", "UpdateEmailAddressMetadata", with("EmailAddressId", "e1")},
		{"DELETE", "/email-addresses/" + inst + "/e1", "DeleteEmailAddress", with("EmailAddressId", "e1")},
		{"POST", "/email-addresses/" + inst + "/e1/associate-alias", "AssociateEmailAddressAlias", with("EmailAddressId", "e1")},
		{"POST", "/email-addresses/" + inst + "/e1/disassociate-alias", "DisassociateEmailAddressAlias", with("EmailAddressId", "e1")},
		{"GET", "/contact/attributes/" + inst + "/c1", "GetContactAttributes", with("InitialContactId", "c1")},
		{"POST", "/contact/attributes", "UpdateContactAttributes", nil},
		{"PUT", "/instance", "CreateInstance", nil},
		{"GET", "/instance/" + inst, "DescribeInstance", i},
		{"GET", "/instance", "ListInstances", nil},
		{"DELETE", "/instance/" + inst, "DeleteInstance", i},
		{"POST", "/tags/" + escARN, "TagResource", map[string]string{"resourceArn": arn}},
		{"DELETE", "/tags/" + escARN, "UntagResource", map[string]string{"resourceArn": arn}},
		{"GET", "/tags/" + escARN, "ListTagsForResource", map[string]string{"resourceArn": arn}},
		{"PUT", "/attached-files/" + inst, "StartAttachedFileUpload", i},
		{"POST", "/attached-files/" + inst + "/f1", "CompleteAttachedFileUpload", with("FileId", "f1")},
		{"GET", "/attached-files/" + inst + "/f1", "GetAttachedFile", with("FileId", "f1")},
		{"GET", "/contact/references/" + inst + "/c1", "ListContactReferences", with("ContactId", "c1")},
		{"POST", "/queues/" + inst + "/q1/associate-email-addresses", "AssociateQueueEmailAddresses", with("QueueId", "q1")},
		{"POST", "/queues/" + inst + "/q1/disassociate-email-addresses", "DisassociateQueueEmailAddresses", with("QueueId", "q1")},
		{"GET", "/queues/" + inst + "/q1/email-addresses", "ListQueueEmailAddresses", with("QueueId", "q1")},
		{"POST", "/queues/" + inst + "/q1/outbound-email-config", "UpdateQueueOutboundEmailConfig", with("QueueId", "q1")},
	}
	checkRoutes(t, Connect(), cases)
	if n := countSupported(Connect()); n != len(cases) {
		t.Errorf("%d supported Connect operations, %d routes tested", n, len(cases))
	}
}

func TestMatchQConnectSupported(t *testing.T) {
	const kb = "0b5e4d4c-1a2b-4c3d-8e9f-0a1b2c3d4e5f"
	const mt = "9a8b7c6d-1a2b-4c3d-8e9f-0a1b2c3d4e5f"
	k := map[string]string{"knowledgeBaseId": kb}
	km := map[string]string{"knowledgeBaseId": kb, "messageTemplateId": mt}
	base := "/knowledgeBases/" + kb + "/messageTemplates/" + mt
	arn := "arn:aws:wisdom:us-east-1:123456789012:knowledge-base/" + kb
	cases := []routeCase{
		{"POST", "/knowledgeBases", "CreateKnowledgeBase", nil},
		{"GET", "/knowledgeBases/" + kb, "GetKnowledgeBase", k},
		{"GET", "/knowledgeBases", "ListKnowledgeBases", nil},
		{"DELETE", "/knowledgeBases/" + kb, "DeleteKnowledgeBase", k},
		{"POST", "/knowledgeBases/" + kb + "/messageTemplates", "CreateMessageTemplate", k},
		{"GET", base, "GetMessageTemplate", km},
		{"GET", "/knowledgeBases/" + kb + "/messageTemplates/" + mt + "%3A%24LATEST", "GetMessageTemplate",
			map[string]string{"knowledgeBaseId": kb, "messageTemplateId": mt + ":$LATEST"}},
		{"POST", base, "UpdateMessageTemplate", km},
		{"POST", base + "/metadata", "UpdateMessageTemplateMetadata", km},
		{"POST", base + "/versions", "CreateMessageTemplateVersion", km},
		{"POST", base + "/activate", "ActivateMessageTemplate", km},
		{"POST", base + "/deactivate", "DeactivateMessageTemplate", km},
		{"GET", "/knowledgeBases/" + kb + "/messageTemplates", "ListMessageTemplates", k},
		{"GET", base + "/versions", "ListMessageTemplateVersions", km},
		{"POST", "/knowledgeBases/" + kb + "/search/messageTemplates", "SearchMessageTemplates", k},
		{"DELETE", base, "DeleteMessageTemplate", km},
		{"DELETE", base + "%3A3", "DeleteMessageTemplate", map[string]string{"knowledgeBaseId": kb, "messageTemplateId": mt + ":3"}},
		{"POST", base + "/render", "RenderMessageTemplate", km},
		{"POST", base + "/attachments", "CreateMessageTemplateAttachment", km},
		{"DELETE", base + "/attachments/a1", "DeleteMessageTemplateAttachment",
			map[string]string{"knowledgeBaseId": kb, "messageTemplateId": mt, "attachmentId": "a1"}},
		{"POST", "/tags/" + url.PathEscape(arn), "TagResource", map[string]string{"resourceArn": arn}},
		{"DELETE", "/tags/" + url.PathEscape(arn), "UntagResource", map[string]string{"resourceArn": arn}},
		{"GET", "/tags/arn%3Aaws%3Awisdom%3Aus-east-1%3A123456789012%3Aknowledge-base%2F" + kb, "ListTagsForResource", map[string]string{"resourceArn": arn}},
	}
	checkRoutes(t, QConnect(), cases)
	if n := countSupported(QConnect()); n != len(cases)-2 { // two ops tested twice
		t.Errorf("%d supported Q in Connect operations, %d routes tested", n, len(cases)-2)
	}
}

func countSupported(s *Service) int {
	n := 0
	for _, op := range s.Operations() {
		if op.Supported {
			n++
		}
	}
	return n
}

// TestMatchEveryOperation fills every template of both models with label
// values that need escaping and checks that the path routes back to its
// own operation, so no route shadows another.
func TestMatchEveryOperation(t *testing.T) {
	for _, s := range []*Service{Connect(), QConnect()} {
		for _, op := range s.Operations() {
			var path strings.Builder
			want := map[string]string{}
			for _, sg := range op.segs {
				path.WriteByte('/')
				if sg.label == "" {
					path.WriteString(sg.literal)
					continue
				}
				v := fmt.Sprintf("v:%s/%%x $", sg.label)
				want[sg.label] = v
				path.WriteString(url.PathEscape(v))
			}
			if path.Len() == 0 {
				path.WriteByte('/')
			}
			got, labels, ok := s.Match(op.Method, path.String())
			if !ok || got != op {
				name := "<none>"
				if got != nil {
					name = got.Name
				}
				t.Errorf("%s %s %s: matched %s, want %s", s.Name, op.Method, path.String(), name, op.Name)
				continue
			}
			if len(want) == 0 {
				want = nil
			}
			if !maps.Equal(labels, want) {
				t.Errorf("%s %s: labels %v, want %v", s.Name, op.Name, labels, want)
			}
		}
	}
}

func TestMatchLiteralBeatsLabel(t *testing.T) {
	c := Connect()
	// /contact/{x} style templates must not swallow the literal routes,
	// and a label value equal to a literal still routes by position.
	op, _, ok := c.Match("PUT", "/contact/outbound-email")
	if !ok || op.Name != "StartOutboundEmailContact" {
		t.Fatalf("got %v", op)
	}
	op, labels, ok := c.Match("GET", "/contacts/outbound-email/email")
	if !ok || op.Name != "DescribeContact" || labels["InstanceId"] != "outbound-email" || labels["ContactId"] != "email" {
		t.Fatalf("got %v %v", op, labels)
	}
}

func TestMatchMisses(t *testing.T) {
	c := Connect()
	for _, tc := range []struct{ method, path string }{
		{"GET", "/contact/outbound-email"},       // wrong method
		{"PUT", "/contact/outbound-email/"},      // trailing slash
		{"PUT", "/contact/outbound-email/extra"}, // too long
		{"GET", "/contacts/i1"},                  // too short
		{"GET", "/contacts//c1"},                 // empty label
		{"GET", "/contacts/i%zz/c1"},             // bad escape
		{"GET", "/no-such-route"},
		{"GET", ""},
		{"GET", "contacts/i/c"},
	} {
		if op, _, ok := c.Match(tc.method, tc.path); ok {
			t.Errorf("%s %q matched %s", tc.method, tc.path, op.Name)
		}
	}
}

func TestUnsupportedOperationsAreRouted(t *testing.T) {
	c := Connect()
	op, labels, ok := c.Match("PUT", "/users/i1")
	if !ok || op.Name != "CreateUser" || op.Supported || labels["InstanceId"] != "i1" {
		t.Fatalf("got %v %v %v", op, labels, ok)
	}
	if op.Input != "CreateUserRequest" || op.ValidationShape() != "InvalidRequestException" {
		t.Errorf("CreateUser: input %q, validation shape %q", op.Input, op.ValidationShape())
	}
	if len(c.Ops) != 380 || len(QConnect().Ops) != 94 {
		t.Errorf("operations: connect %d, qconnect %d", len(c.Ops), len(QConnect().Ops))
	}
}

// synthetic builds a small service to exercise what the two models do not
// use: greedy labels, fixed query parts, header bindings, typed query and
// URI values.
func synthetic(t testing.TB) *Service {
	t.Helper()
	s, err := build(&modelDef{
		name: "test", signingName: "test",
		ops: []opDef{
			{name: "GetObject", method: "GET", uri: "/{Bucket}/{Key+}", code: 200, input: "GetObjectInput", supported: true},
			{name: "ListObjects", method: "GET", uri: "/{Bucket}?list-type=2&flag", code: 200, input: "ListObjectsInput", supported: true},
			{name: "Root", method: "GET", uri: "/", code: 204},
		},
		shapes: []shapeDef{
			{name: "String", typ: TypeString},
			{name: "Int", typ: TypeInteger, hasMin: true, min: 1},
			{name: "Bool", typ: TypeBoolean},
			{name: "Blob", typ: TypeBlob},
			{name: "Stamp", typ: TypeTimestamp},
			{name: "IsoStamp", typ: TypeTimestamp, tsFormat: TimestampISO8601},
			{name: "IntList", typ: TypeList, member: "Int"},
			{name: "StringList", typ: TypeList, member: "String"},
			{name: "StringMap", typ: TypeMap, key: "String", value: "String"},
			{name: "GetObjectInput", typ: TypeStructure, members: []memberDef{
				{name: "Bucket", target: "String", loc: LocationURI, locName: "Bucket", required: true},
				{name: "Key", target: "String", loc: LocationURI, locName: "Key", required: true},
				{name: "Version", target: "Int", loc: LocationURI, locName: "Version"},
				{name: "Range", target: "String", loc: LocationHeader, locName: "Range"},
				{name: "Checksum", target: "Blob", loc: LocationHeader, locName: "X-Checksum"},
				{name: "Since", target: "Stamp", loc: LocationHeader, locName: "If-Modified-Since"},
				{name: "Tags", target: "StringList", loc: LocationHeader, locName: "X-Tags"},
				{name: "Meta", target: "StringMap", loc: LocationHeaders, locName: "X-Meta-"},
			}},
			{name: "ListObjectsInput", typ: TypeStructure, members: []memberDef{
				{name: "Bucket", target: "String", loc: LocationURI, locName: "Bucket"},
				{name: "Max", target: "Int", loc: LocationQuery, locName: "max"},
				{name: "Deep", target: "Bool", loc: LocationQuery, locName: "deep"},
				{name: "Ids", target: "IntList", loc: LocationQuery, locName: "id"},
				{name: "After", target: "Stamp", loc: LocationQuery, locName: "after"},
				{name: "Before", target: "IsoStamp", loc: LocationQuery, locName: "before"},
				{name: "Rest", target: "StringMap", loc: LocationQuery},
				{name: "Body", target: "String"},
			}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestMatchGreedyAndFixedQuery(t *testing.T) {
	s := synthetic(t)
	op, labels, ok := s.Match("GET", "/bkt/a/b%2Fc/d%20e")
	if !ok || op.Name != "GetObject" || labels["Bucket"] != "bkt" || labels["Key"] != "a/b/c/d e" {
		t.Fatalf("greedy: %v %v %v", op, labels, ok)
	}
	op, labels, ok = s.Match("GET", "/bkt")
	if !ok || op.Name != "ListObjects" || labels["Bucket"] != "bkt" {
		t.Fatalf("fixed query: %v %v %v", op, labels, ok)
	}
	if op.PathTemplate != "/{Bucket}" || !maps.Equal(op.Query, map[string]string{"list-type": "2", "flag": ""}) {
		t.Errorf("template %q query %v", op.PathTemplate, op.Query)
	}
	op, labels, ok = s.Match("GET", "/")
	if !ok || op.Name != "Root" || labels != nil || op.SuccessCode != 204 {
		t.Fatalf("root: %v %v %v", op, labels, ok)
	}
}

func TestBuildRejectsAmbiguousRoutes(t *testing.T) {
	_, err := build(&modelDef{name: "x", ops: []opDef{
		{name: "A", method: "GET", uri: "/a/{x}", code: 200},
		{name: "B", method: "GET", uri: "/a/{y}", code: 200},
	}})
	if err == nil || !strings.Contains(err.Error(), "share the route") {
		t.Fatalf("want an ambiguity error, got %v", err)
	}
}
