package apimodel

import (
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func TestServices(t *testing.T) {
	c, q := Connect(), QConnect()
	if c != Connect() || q != QConnect() {
		t.Fatal("Connect and QConnect must return the same tables every time")
	}
	for _, tc := range []struct {
		s                          *Service
		name, signing, version, id string
	}{
		{c, "connect", "connect", "2017-08-08", "Connect"},
		{q, "qconnect", "wisdom", "2020-10-19", "QConnect"},
	} {
		if tc.s.Name != tc.name || tc.s.SigningName != tc.signing || tc.s.APIVersion != tc.version || tc.s.ServiceID != tc.id {
			t.Errorf("service %+v", tc.s)
		}
		ops := tc.s.Operations()
		if !slices.IsSortedFunc(ops, func(a, b *Operation) int { return strings.Compare(a.Name, b.Name) }) {
			t.Errorf("%s: operations not sorted", tc.name)
		}
		for _, op := range ops {
			if tc.s.Ops[op.Name] != op {
				t.Errorf("%s: Ops[%s] differs from Operations()", tc.name, op.Name)
			}
			if op.Supported {
				// The closure holds every input and output shape.
				for _, n := range []string{op.Input, op.Output} {
					if _, ok := tc.s.Shapes[n]; n != "" && !ok {
						t.Errorf("%s %s: shape %s missing", tc.name, op.Name, n)
					}
				}
			}
		}
	}
}

func TestOperations(t *testing.T) {
	c, q := Connect(), QConnect()
	for _, tc := range []struct {
		s                    *Service
		op, method, template string
		code                 int
		input, output        string
		errs                 []string
	}{
		{c, "StartOutboundEmailContact", "PUT", "/contact/outbound-email", 200, "StartOutboundEmailContactRequest", "StartOutboundEmailContactResponse",
			[]string{"InvalidRequestException", "ServiceQuotaExceededException", "AccessDeniedException", "ResourceNotFoundException", "ThrottlingException", "InternalServiceException", "IdempotencyException"}},
		{c, "TagResource", "POST", "/tags/{resourceArn}", 200, "TagResourceRequest", "",
			[]string{"InvalidRequestException", "InvalidParameterException", "InternalServiceException", "ResourceNotFoundException", "ThrottlingException"}},
		{c, "StopContact", "POST", "/contact/stop", 200, "StopContactRequest", "StopContactResponse",
			[]string{"InvalidRequestException", "ContactNotFoundException", "InvalidParameterException", "ResourceNotFoundException", "InternalServiceException", "InvalidActiveRegionException"}},
		{q, "DeleteMessageTemplate", "DELETE", "/knowledgeBases/{knowledgeBaseId}/messageTemplates/{messageTemplateId}", 204, "DeleteMessageTemplateRequest", "DeleteMessageTemplateResponse",
			[]string{"ConflictException", "ValidationException", "AccessDeniedException", "ResourceNotFoundException", "ThrottlingException"}},
		{q, "DeleteKnowledgeBase", "DELETE", "/knowledgeBases/{knowledgeBaseId}", 204, "DeleteKnowledgeBaseRequest", "DeleteKnowledgeBaseResponse",
			[]string{"ConflictException", "ValidationException", "UnauthorizedException", "AccessDeniedException", "ResourceNotFoundException"}},
	} {
		op := tc.s.Ops[tc.op]
		if op == nil {
			t.Errorf("%s missing", tc.op)
			continue
		}
		if op.Method != tc.method || op.PathTemplate != tc.template || op.RequestURI != tc.template || op.SuccessCode != tc.code ||
			op.Input != tc.input || op.Output != tc.output || !slices.Equal(op.Errors, tc.errs) || op.Query != nil || !op.Supported {
			t.Errorf("%s: %+v", tc.op, op)
		}
	}
	if c.Ops["CreateUser"].Supported || q.Ops["CreateAssistant"].Supported {
		t.Error("unsupported operations marked supported")
	}
}

func TestErrorShapes(t *testing.T) {
	c, q := Connect(), QConnect()
	for _, tc := range []struct {
		s      *Service
		name   string
		status int
		fault  Fault
	}{
		{c, "InvalidRequestException", 400, FaultClient},
		{c, "InvalidParameterException", 400, FaultClient},
		{c, "ServiceQuotaExceededException", 402, FaultClient},
		{c, "ContactNotFoundException", 410, FaultClient},
		{c, "InternalServiceException", 500, FaultServer},
		{c, "ThrottlingException", 429, FaultClient},
		{c, "IdempotencyException", 409, FaultClient},
		{c, "UserNotFoundException", 404, FaultClient}, // no supported op names it: every error shape is carried
		{q, "ValidationException", 400, FaultClient},
		{q, "ThrottlingException", 400, FaultClient},
		{q, "ServiceQuotaExceededException", 402, FaultClient},
		{q, "PreconditionFailedException", 412, FaultClient},
	} {
		sh := tc.s.Shapes[tc.name]
		if sh == nil || !sh.Exception || sh.HTTPStatus != tc.status || sh.Fault != tc.fault || sh.Type != TypeStructure {
			t.Errorf("%s %s: %+v", tc.s.Name, tc.name, sh)
		}
	}
	reason := c.Shapes["InvalidRequestException"].Members[1]
	if reason.Name != "Reason" || !reason.Target.Union {
		t.Errorf("InvalidRequestException.Reason: %+v", reason)
	}
	if m, ok := q.Shapes["ResourceNotFoundException"].MemberByName("resourceName"); !ok || m.Target.Type != TypeString {
		t.Errorf("qconnect ResourceNotFoundException.resourceName: %+v", m)
	}
}

func TestShapeDetails(t *testing.T) {
	c, q := Connect(), QConnect()
	in := c.Shapes["StartOutboundEmailContactRequest"]
	var names []string
	for _, m := range in.Members {
		names = append(names, m.Name)
	}
	want := []string{"InstanceId", "ContactId", "FromEmailAddress", "DestinationEmailAddress", "AdditionalRecipients", "EmailMessage", "ClientToken"}
	if !slices.Equal(names, want) {
		t.Errorf("members in model order: %v", names)
	}
	tok, _ := in.MemberByName("ClientToken")
	if !tok.IdempotencyToken || tok.Required || !tok.Target.HasMax || tok.Target.Max != 500 || tok.Target.HasMin {
		t.Errorf("ClientToken: %+v %+v", tok, tok.Target)
	}
	inst, _ := in.MemberByName("InstanceId")
	if !inst.Required || inst.Location != LocationBody {
		t.Errorf("InstanceId: %+v", inst)
	}
	email := c.Shapes["EmailAddress"]
	if !email.Sensitive || email.Min != 1 || email.Max != 255 || email.Pattern.Source != `^[^\s@]+@[^\s@]+\.[^\s@]+$` {
		t.Errorf("EmailAddress: %+v", email)
	}
	tagKey := c.Shapes["TagKey"]
	if !slices.Equal(tagKey.Pattern.NotPrefixes, []string{"aws:"}) || strings.Contains(tagKey.Pattern.RE2, "?!") {
		t.Errorf("TagKey pattern: %+v", tagKey.Pattern)
	}
	untag := c.Shapes["UntagResourceRequest"]
	keys, _ := untag.MemberByName("tagKeys")
	arn, _ := untag.MemberByName("resourceArn")
	if keys.Location != LocationQuery || keys.LocationName != "tagKeys" || keys.Target.Type != TypeList || arn.Location != LocationURI {
		t.Errorf("UntagResourceRequest bindings: %+v %+v", keys, arn)
	}
	if ts := q.Shapes["SyntheticTimestamp_date_time"]; ts.TimestampFormat != TimestampISO8601 || ts.Type != TypeTimestamp {
		t.Errorf("timestamp: %+v", ts)
	}
	if f := c.Shapes["NullableProficiencyLevel"]; f.Type != TypeFloat || f.MinFloat != 1 || f.MaxFloat != 5 {
		t.Errorf("float: %+v", f)
	}
	if u := q.Shapes["MessageTemplateContentProvider"]; !u.Union || u.Type != TypeStructure {
		t.Errorf("union: %+v", u)
	}
	if e := c.Shapes["OutboundMessageSourceType"]; !slices.Equal(e.Enum, []string{"TEMPLATE", "RAW"}) {
		t.Errorf("enum: %v", e.Enum)
	}
	if l := c.Shapes["EmailAddressRecipientList"]; l.Member != c.Shapes["EmailAddressInfo"] || l.Min != 1 || l.Max != 50 {
		t.Errorf("list: %+v", l)
	}
	for _, s := range []ShapeType{TypeStructure, TypeDocument, TypeFloat} {
		if strings.HasPrefix(s.String(), "ShapeType(") {
			t.Errorf("no name for %d", s)
		}
	}
}

func TestPaginators(t *testing.T) {
	c, q := Connect(), QConnect()
	p := c.Ops["ListInstances"].Paginator
	if p == nil || p.InputToken != "NextToken" || p.OutputToken != "NextToken" || p.LimitKey != "MaxResults" || !slices.Equal(p.ResultKeys, []string{"InstanceSummaryList"}) {
		t.Errorf("ListInstances: %+v", p)
	}
	if p := c.Ops["ListContactReferences"].Paginator; p == nil || p.LimitKey != "" {
		t.Errorf("ListContactReferences: %+v", p)
	}
	p = q.Ops["ListMessageTemplates"].Paginator
	if p == nil || p.InputToken != "nextToken" || p.LimitKey != "maxResults" || !slices.Equal(p.ResultKeys, []string{"messageTemplateSummaries"}) {
		t.Errorf("ListMessageTemplates: %+v", p)
	}
	if c.Ops["StartOutboundEmailContact"].Paginator != nil || c.Ops["ListUsers"].Paginator != nil {
		t.Error("paginator on a non-paging or unsupported operation")
	}
	// The tokens and keys name members of the operation's shapes.
	for _, s := range []*Service{c, q} {
		for _, op := range s.Operations() {
			p := op.Paginator
			if p == nil {
				continue
			}
			in, out := s.Shapes[op.Input], s.Shapes[op.Output]
			if _, ok := in.MemberByName(p.InputToken); !ok {
				t.Errorf("%s: input token %s", op.Name, p.InputToken)
			}
			if _, ok := in.MemberByName(p.LimitKey); p.LimitKey != "" && !ok {
				t.Errorf("%s: limit key %s", op.Name, p.LimitKey)
			}
			for _, k := range append([]string{p.OutputToken}, p.ResultKeys...) {
				if _, ok := out.MemberByName(k); !ok {
					t.Errorf("%s: output key %s", op.Name, k)
				}
			}
		}
	}
}

func TestConstraintsSweep(t *testing.T) {
	c := Connect()
	type row struct {
		path string
		kind ConstraintKind
	}
	var got []row
	for k := range c.Constraints("StartOutboundEmailContactRequest") {
		var parts []string
		for _, st := range k.Steps {
			switch st.Kind {
			case StepMember:
				parts = append(parts, st.Member.Name)
			case StepListElem:
				parts = append(parts, "[]")
			case StepMapKey:
				parts = append(parts, "{key}")
			case StepMapValue:
				parts = append(parts, "{value}")
			}
		}
		got = append(got, row{strings.Join(parts, "."), k.Kind})
	}
	for _, want := range []row{
		{"InstanceId", ConstraintRequired},
		{"InstanceId", ConstraintMinLength},
		{"InstanceId", ConstraintMaxLength},
		{"DestinationEmailAddress.EmailAddress", ConstraintPattern},
		{"AdditionalRecipients.CcEmailAddresses", ConstraintMaxLength},
		{"AdditionalRecipients.CcEmailAddresses.[].EmailAddress", ConstraintRequired},
		{"EmailMessage.MessageSourceType", ConstraintEnum},
		{"EmailMessage.RawMessage.Subject", ConstraintMaxLength},
		{"EmailMessage.TemplatedMessageConfig.TemplateAttributes.CustomAttributes.{key}", ConstraintMinLength},
		{"ClientToken", ConstraintMaxLength},
	} {
		if !slices.Contains(got, want) {
			t.Errorf("constraint %+v not yielded", want)
		}
	}
	if slices.Contains(got, row{"ClientToken", ConstraintRequired}) {
		t.Error("ClientToken is not required")
	}
	// Recursive shapes end; stopping early works.
	n := 0
	for range c.Constraints("SearchEmailAddressesRequest") {
		n++
	}
	if n == 0 {
		t.Error("no constraints for SearchEmailAddressesRequest")
	}
	n = 0
	for range c.Constraints("SearchEmailAddressesRequest") {
		n++
		if n == 2 {
			break
		}
	}
	for range c.Constraints("NoSuchShape") {
		t.Error("unknown shape yielded a constraint")
	}
}

// TestConstraintsSweepAgainstValidate breaks every length, value and enum
// constraint of every supported input once and checks that Validate reports
// that constraint: the tables and the validator agree.
func TestConstraintsSweepAgainstValidate(t *testing.T) {
	checked := map[ConstraintKind]int{}
	for _, s := range []*Service{Connect(), QConnect()} {
		for _, op := range s.Operations() {
			if !op.Supported || op.Input == "" {
				continue
			}
			for k := range s.Constraints(op.Input) {
				if len(k.Steps) != 1 || k.Steps[0].Kind != StepMember {
					continue // top-level members are enough to exercise every kind
				}
				bad, ok := breaking(k)
				if !ok {
					continue
				}
				m := k.Steps[0].Member
				doc := map[string]any{m.Name: bad}
				if k.Kind == ConstraintRequired {
					doc = map[string]any{}
				}
				err := s.Validate(op.Input, doc)
				ve, _ := err.(*ValidationError)
				found := false
				if ve != nil {
					for _, v := range ve.Violations {
						found = found || v.Path == m.pathName && v.Constraint == k.Kind
					}
				}
				if !found {
					t.Errorf("%s %s.%s: breaking %s gave %v", s.Name, op.Input, m.Name, k.Kind, err)
				}
				checked[k.Kind]++
			}
		}
	}
	for _, kind := range []ConstraintKind{ConstraintRequired, ConstraintEnum, ConstraintMinLength, ConstraintMaxLength, ConstraintMinValue, ConstraintMaxValue} {
		if checked[kind] == 0 {
			t.Errorf("no %s constraint was checked", kind)
		}
	}
	t.Logf("checked %v", checked)
}

// breaking returns a value that breaks the constraint k on its own.
func breaking(k Constraint) (any, bool) {
	sh := k.Shape
	switch k.Kind {
	case ConstraintRequired:
		return nil, true
	case ConstraintEnum:
		return "NOT-IN-ENUM", true
	case ConstraintMinLength:
		if sh.Min == 0 {
			return nil, false
		}
		switch sh.Type {
		case TypeString:
			return strings.Repeat("a", int(sh.Min-1)), true
		case TypeList:
			return []any{}, true
		case TypeMap:
			return map[string]any{}, true
		}
	case ConstraintMaxLength:
		if sh.Max > 1<<16 {
			return nil, false
		}
		switch sh.Type {
		case TypeString:
			return strings.Repeat("a", int(sh.Max+1)), true
		case TypeList:
			return make([]any, sh.Max+1), true
		}
	case ConstraintMinValue:
		return jsonInt(sh.Min - 1), sh.Type == TypeInteger || sh.Type == TypeLong
	case ConstraintMaxValue:
		return jsonInt(sh.Max + 1), (sh.Type == TypeInteger || sh.Type == TypeLong) && sh.Max < 1<<31
	}
	return nil, false
}

func jsonInt(n int64) json.Number { return json.Number(strconv.FormatInt(n, 10)) }

// TestConcurrentUse shares one Service between goroutines, as the API layer
// does; run with -race it checks that validation and routing only read.
func TestConcurrentUse(t *testing.T) {
	c := Connect()
	doc := outbound(t, nil)
	bad := outbound(t, func(d map[string]any) { obj(d, "DestinationEmailAddress")["EmailAddress"] = "x@y" })
	done := make(chan error)
	for range 4 {
		go func() {
			for range 200 {
				if err := c.Validate("StartOutboundEmailContactRequest", doc); err != nil {
					done <- err
					return
				}
				if c.Validate("StartOutboundEmailContactRequest", bad) == nil {
					done <- errors.New("invalid document accepted")
					return
				}
				if _, _, ok := c.Match("GET", "/contacts/i/c"); !ok {
					done <- errors.New("no match")
					return
				}
			}
			done <- nil
		}()
	}
	for range 4 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}
