package apimodel

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

func TestBind(t *testing.T) {
	c, q, syn := Connect(), QConnect(), synthetic(t)
	const arn = "arn:aws:connect:us-east-1:123456789012:instance/i1"
	cases := []struct {
		name   string
		svc    *Service
		op     string
		labels map[string]string
		query  url.Values
		header http.Header
		body   string
		want   map[string]any
	}{
		{name: "query list from repeated keys", svc: c, op: "UntagResource",
			labels: map[string]string{"resourceArn": arn}, query: url.Values{"tagKeys": {"a", "b"}},
			want: map[string]any{"resourceArn": arn, "tagKeys": []any{"a", "b"}}},
		{name: "query integer", svc: c, op: "ListInstances", query: url.Values{"maxResults": {"5"}, "nextToken": {"t"}},
			want: map[string]any{"MaxResults": json.Number("5"), "NextToken": "t"}},
		{name: "body member bound elsewhere is dropped", svc: c, op: "ListInstances", body: `{"MaxResults": 3, "Other": 1}`,
			want: map[string]any{"Other": json.Number("1")}},
		{name: "labels override body", svc: c, op: "TagResource", labels: map[string]string{"resourceArn": arn},
			body: `{"resourceArn": "evil", "tags": {"k": "v"}}`,
			want: map[string]any{"resourceArn": arn, "tags": map[string]any{"k": "v"}}},
		{name: "labels, query and body together", svc: c, op: "GetAttachedFile",
			labels: map[string]string{"InstanceId": "i1", "FileId": "f1"},
			query:  url.Values{"urlExpiryInSeconds": {"60"}, "associatedResourceArn": {arn}},
			want: map[string]any{"InstanceId": "i1", "FileId": "f1", "UrlExpiryInSeconds": json.Number("60"),
				"AssociatedResourceArn": arn}},
		{name: "empty body", svc: c, op: "StopContact", body: "  \n", want: map[string]any{}},
		{name: "nil body", svc: c, op: "StopContact", want: map[string]any{}},
		{name: "body only", svc: c, op: "StopContact", body: `{"ContactId":"c","InstanceId":"i"}`,
			want: map[string]any{"ContactId": "c", "InstanceId": "i"}},
		{name: "qconnect labels", svc: q, op: "GetMessageTemplate",
			labels: map[string]string{"knowledgeBaseId": "kb", "messageTemplateId": "mt:$LATEST"},
			want:   map[string]any{"knowledgeBaseId": "kb", "messageTemplateId": "mt:$LATEST"}},
		{name: "typed query values", svc: syn, op: "ListObjects", labels: map[string]string{"Bucket": "b"},
			query: url.Values{"max": {"7"}, "deep": {"true"}, "id": {"1", "2"}, "after": {"2024-01-02T03:04:05.5Z"},
				"before": {"2024-01-02T03:04:05Z"}, "prefix": {"p"}, "x": {"y", "z"}},
			body: `{"Body": "text"}`,
			want: map[string]any{"Bucket": "b", "Max": json.Number("7"), "Deep": true, "Ids": []any{json.Number("1"), json.Number("2")},
				"After": json.Number("1704164645.5"), "Before": "2024-01-02T03:04:05Z",
				"Rest": map[string]any{"prefix": "p", "x": "y"}, "Body": "text"}},
		{name: "unparsable query values are kept for Validate", svc: syn, op: "ListObjects",
			query: url.Values{"deep": {"yes"}, "after": {"soon"}},
			want:  map[string]any{"Deep": "yes", "After": "soon"}},
		{name: "headers", svc: syn, op: "GetObject", labels: map[string]string{"Bucket": "b", "Key": "k/1"},
			header: http.Header{"Range": {"bytes=0-9"}, "X-Checksum": {"AAEC"}, "If-Modified-Since": {"Tue, 02 Jan 2024 03:04:05 GMT"},
				"X-Tags": {"a, b", "c"}, "X-Meta-Color": {"red"}, "X-Meta-Size": {"L"}},
			want: map[string]any{"Bucket": "b", "Key": "k/1", "Range": "bytes=0-9", "Checksum": "AAEC",
				"Since": json.Number("1704164645"), "Tags": []any{"a", "b", "c"},
				"Meta": map[string]any{"color": "red", "size": "L"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			op := tc.svc.Ops[tc.op]
			got, err := tc.svc.Bind(op, tc.labels, tc.query, tc.header, []byte(tc.body))
			if err != nil {
				t.Fatalf("Bind: %v", err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %#v\nwant %#v", got, tc.want)
			}
		})
	}
}

func TestBindThenValidate(t *testing.T) {
	c := Connect()
	op := c.Ops["ListInstances"]
	doc, err := c.Bind(op, nil, url.Values{"maxResults": {"abc"}}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = c.Validate(op.Input, doc)
	want := "1 validation error detected: Value 'abc' at 'maxResults' failed to satisfy constraint: Member must be a 32-bit integer"
	if err == nil || err.Error() != want {
		t.Fatalf("got %v, want %s", err, want)
	}
	doc, err = c.Bind(op, nil, url.Values{"maxResults": {"11"}}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(op.Input, doc); err == nil || !strings.Contains(err.Error(), "less than or equal to 10") {
		t.Fatalf("got %v", err)
	}
}

func TestBindBadBody(t *testing.T) {
	c := Connect()
	op := c.Ops["StartOutboundEmailContact"]
	for _, tc := range []struct{ body, msg string }{
		{`{"InstanceId":`, "The request body is not valid JSON: unexpected EOF"},
		{`{"InstanceId": 1,}`, "The request body is not valid JSON: invalid character '}' looking for beginning of object key string"},
		{`[1, 2]`, "The request body must be a JSON object"},
		{`"text"`, "The request body must be a JSON object"},
		{`null`, "The request body must be a JSON object"},
		{`{} {}`, "The request body has data after its JSON value"},
		{`{} x`, "The request body has data after its JSON value"},
	} {
		_, err := c.Bind(op, nil, nil, nil, []byte(tc.body))
		var ve *ValidationError
		if !errors.As(err, &ve) {
			t.Errorf("%s: want *ValidationError, got %v", tc.body, err)
			continue
		}
		if len(ve.Violations) != 1 || ve.Violations[0].Constraint != ConstraintSyntax {
			t.Errorf("%s: violations %+v", tc.body, ve.Violations)
		}
		if ve.Error() != tc.msg {
			t.Errorf("%s: message %q, want %q", tc.body, ve.Error(), tc.msg)
		}
	}
	if op.ValidationShape() != "InvalidRequestException" {
		t.Errorf("validation shape %s", op.ValidationShape())
	}
}

func TestValidationShape(t *testing.T) {
	c, q := Connect(), QConnect()
	for _, tc := range []struct {
		svc  *Service
		op   string
		want string
	}{
		{c, "StartOutboundEmailContact", "InvalidRequestException"},
		{c, "CreateContact", "InvalidRequestException"},
		{c, "CreateInstance", "InvalidRequestException"},
		{q, "CreateMessageTemplate", "ValidationException"},
		{q, "TagResource", "ValidationException"},
	} {
		if got := tc.svc.Ops[tc.op].ValidationShape(); got != tc.want {
			t.Errorf("%s %s: %s, want %s", tc.svc.Name, tc.op, got, tc.want)
		}
	}
	// Every Connect operation names a validation shape that is one of
	// its modeled errors or InvalidParameterException.
	for _, op := range c.Operations() {
		vs := op.ValidationShape()
		if vs != "InvalidRequestException" && vs != "InvalidParameterException" {
			t.Errorf("%s: %s", op.Name, vs)
		}
		if _, ok := c.Shapes[vs]; !ok {
			t.Errorf("%s: shape %s missing", op.Name, vs)
		}
	}
}
