package awsapi_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/connectmail/connectmail/apimodel"
	"github.com/connectmail/connectmail/server/servertest"
)

// The constraint sweep: for every supported operation of both services and
// every constraint of its input (apimodel's Constraints), one SigV4-signed
// HTTP request that breaks just that constraint must get the operation's
// validation exception (Connect: InvalidRequestException or
// InvalidParameterException, Q in Connect: ValidationException; HTTP 400)
// naming the broken value's path, and requests that sit exactly on each
// boundary (and every enum value, and each member of a union) must not be
// validation errors nor server errors, whatever the domain then makes of
// them. Cases the wire cannot express are counted and must be known gaps.

// startSweepServer runs a real connectmail (SQLite, capture mode) on a loopback port.
func startSweepServer(t *testing.T) string {
	t.Helper()
	return servertest.Start(t, servertest.Config(t)).URL
}

// signedClient sends model documents as SigV4-signed restJson1 requests.
type signedClient struct {
	base   string
	model  *apimodel.Service
	signer *v4.Signer
	creds  aws.Credentials
}

type response struct {
	status  int
	errType string
	message string
	body    map[string]any
}

func (c *signedClient) send(t *testing.T, op *apimodel.Operation, doc map[string]any) response {
	req := c.request(t, op, doc)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return response{status: 599, message: err.Error()}
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	r := response{status: resp.StatusCode, errType: resp.Header.Get("X-Amzn-ErrorType")}
	_ = json.Unmarshal(b, &r.body)
	for _, k := range []string{"Message", "message"} {
		if m, ok := r.body[k].(string); ok {
			r.message = m
		}
	}
	return r
}

// request binds doc to op's HTTP binding: labels, query, headers, body.
func (c *signedClient) request(t *testing.T, op *apimodel.Operation, doc map[string]any) *http.Request {
	in := c.model.Shapes[op.Input]
	path := op.PathTemplate
	query := url.Values{}
	for k, v := range op.Query {
		query.Set(k, v)
	}
	header := http.Header{}
	body := map[string]any{}
	for k, v := range doc {
		m, ok := in.MemberByName(k)
		if !ok || m.Location == apimodel.LocationBody {
			body[k] = v
			continue
		}
		switch m.Location {
		case apimodel.LocationURI:
			path = strings.Replace(path, "{"+m.LocationName+"}", url.PathEscape(scalarString(v)), 1)
		case apimodel.LocationQuery:
			if list, ok := v.([]any); ok {
				for _, e := range list {
					query.Add(m.LocationName, scalarString(e))
				}
			} else {
				query.Set(m.LocationName, scalarString(v))
			}
		case apimodel.LocationHeader:
			header.Set(m.LocationName, scalarString(v))
		}
	}
	var payload []byte
	if len(body) > 0 || op.Method == "POST" || op.Method == "PUT" {
		payload = must(json.Marshal(body))
	}
	u := c.base + path
	if len(query) > 0 {
		u += "?" + strings.ReplaceAll(query.Encode(), "+", "%20")
	}
	req := must(http.NewRequest(op.Method, u, bytes.NewReader(payload)))
	maps.Copy(req.Header, header)
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	sum := sha256.Sum256(payload)
	if err := c.signer.SignHTTP(context.Background(), c.creds, req, hex.EncodeToString(sum[:]), c.model.SigningName, "us-east-1", time.Now()); err != nil {
		panic(err)
	}
	return req
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func scalarString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	}
	return fmt.Sprint(v)
}

var validationMessage = regexp.MustCompile(`^\d+ validation errors? detected: `)

func (r response) isValidationError(op *apimodel.Operation) bool {
	return r.status == http.StatusBadRequest && r.errType == op.ValidationShape() && validationMessage.MatchString(r.message)
}

// gen makes model values: samples that satisfy every constraint, strings of
// a given length that keep matching the shape's pattern, and values that
// break one constraint.
type gen struct {
	// shapes overrides the sample of whole shapes by shape name, so that
	// nested values make sense to the domain (a RAW message with a body...).
	shapes map[string]any
	// patterns holds a value of every patterned string shape of the
	// supported inputs; the sweep fails on a patterned shape missing here.
	patterns map[string]string
}

// connectPatterns are the patterned string shapes of the supported Connect inputs.
var connectPatterns = map[string]string{
	"EmailAddress":   "support@example.com",
	"ReferenceArn":   "arn:aws:connect:us-east-1:000000000000:instance/x",
	"TagKey":         "team",
	"DirectoryAlias": "sweepalias",
	"DirectoryId":    "d-0123456789",
	"FileName":       "report.pdf",
}

func (g *gen) sample(sh *apimodel.Shape) any {
	if v, ok := g.shapes[sh.Name]; ok {
		return deepCopy(v)
	}
	switch sh.Type {
	case apimodel.TypeString:
		if sh.Enum != nil {
			return sh.Enum[0]
		}
		if sh.Pattern != nil {
			return g.patterns[sh.Name]
		}
		n := 1
		if sh.HasMin && sh.Min > 1 {
			n = int(sh.Min)
		}
		return strings.Repeat("a", n)
	case apimodel.TypeInteger, apimodel.TypeLong:
		v := int64(1)
		if sh.HasMin && sh.Min > v {
			v = sh.Min
		}
		if sh.HasMax && sh.Max < v {
			v = sh.Max
		}
		return json.Number(strconv.FormatInt(v, 10))
	case apimodel.TypeFloat, apimodel.TypeDouble:
		return json.Number("1")
	case apimodel.TypeBoolean:
		return true
	case apimodel.TypeTimestamp:
		return json.Number(strconv.FormatInt(time.Now().Unix(), 10))
	case apimodel.TypeBlob:
		return "YQ=="
	case apimodel.TypeList:
		n := 1
		if sh.HasMin && sh.Min > 1 {
			n = int(sh.Min)
		}
		return g.list(sh, n)
	case apimodel.TypeMap:
		n := 1
		if sh.HasMin && sh.Min > 1 {
			n = int(sh.Min)
		}
		m, _ := g.mapOf(sh, n)
		return m
	case apimodel.TypeStructure:
		obj := map[string]any{}
		for _, m := range sh.Members {
			if sh.Union {
				obj[m.Name] = g.sample(m.Target)
				break
			}
			if m.Required {
				obj[m.Name] = g.sample(m.Target)
			}
		}
		return obj
	}
	return map[string]any{}
}

func (g *gen) list(sh *apimodel.Shape, n int) []any {
	out := make([]any, n)
	for i := range out {
		out[i] = g.sample(sh.Member)
	}
	return out
}

// mapOf makes a map of n entries with distinct valid keys (false when the key shape has fewer values).
func (g *gen) mapOf(sh *apimodel.Shape, n int) (map[string]any, bool) {
	out := map[string]any{}
	for i := 0; len(out) < n; i++ {
		var k string
		if e := sh.Key.Enum; e != nil {
			if i >= len(e) {
				return out, false
			}
			k = e[i]
		} else {
			k = "k" + strconv.Itoa(i)
			if sh.Key.HasMin && int64(len(k)) < sh.Key.Min {
				k += strings.Repeat("a", int(sh.Key.Min)-len(k))
			}
		}
		out[k] = g.sample(sh.Value)
	}
	return out, true
}

// fit returns a string of n characters that satisfies sh's pattern, grown
// or shrunk from the sample by repeating or removing characters in place.
func fit(sh *apimodel.Shape, sample string, n int) (string, bool) {
	if sh.Pattern == nil {
		return strings.Repeat("a", n), true
	}
	r := []rune(sample)
	ok := func(s string) bool { return utf8.RuneCountInString(s) == n && sh.Pattern.MatchString(s) }
	if ok(sample) {
		return sample, true
	}
	for i := range r {
		var s string
		if n > len(r) {
			s = string(r[:i]) + strings.Repeat(string(r[i]), n-len(r)+1) + string(r[i+1:])
		} else if i+len(r)-n <= len(r) {
			s = string(r[:i]) + string(r[i+len(r)-n:])
		}
		if ok(s) {
			return s, true
		}
	}
	return "", false
}

// breakPattern returns a string of an allowed length that the pattern refuses.
func breakPattern(sh *apimodel.Shape) (string, bool) {
	n := 4
	if sh.HasMin && int(sh.Min) > n {
		n = int(sh.Min)
	}
	if sh.HasMax && int(sh.Max) < n {
		n = int(sh.Max)
	}
	for _, c := range []string{strings.Repeat("!", n), strings.Repeat(" ", n), "\a" + strings.Repeat("a", n-1), "aws:" + strings.Repeat("a", max(n-4, 0)), "d-" + strings.Repeat("a", max(n-2, 0))} {
		if utf8.RuneCountInString(c) == n && !sh.Pattern.MatchString(c) {
			return c, true
		}
	}
	return "", false
}

// slot is one place in a document: a member, a list element, a map key or a map value.
type slot struct {
	set func(any)
	del func() // nil when the place cannot be removed
	// path is where AWS-style validation messages report a violation of the
	// value: scalar elements of lists and maps are reported at their container.
	path string
}

// locate walks steps from the root document, filling in sample values
// where the document has none, and returns the final place.
func (g *gen) locate(root map[string]any, rootShape *apimodel.Shape, steps []apimodel.Step) (s slot) {
	var cur any = root
	sh := rootShape
	var parts []string
	defer func() { s.path = strings.Join(parts, ".") }()
	for _, st := range steps {
		switch st.Kind {
		case apimodel.StepMember:
			obj := cur.(map[string]any)
			m := st.Member
			if sh.Union {
				for k := range obj {
					if k != m.Name {
						delete(obj, k)
					}
				}
			}
			if _, ok := obj[m.Name]; !ok {
				obj[m.Name] = g.sample(m.Target)
			}
			s = slot{set: func(x any) { obj[m.Name] = x }, del: func() { delete(obj, m.Name) }}
			cur, sh = obj[m.Name], m.Target
			parts = append(parts, strings.ToLower(m.Name[:1])+m.Name[1:])
		case apimodel.StepListElem:
			list := cur.([]any)
			s = slot{set: func(x any) { list[0] = x }}
			cur, sh = list[0], sh.Member
			if !scalar(sh) {
				parts = append(parts, "1.member")
			}
		case apimodel.StepMapKey, apimodel.StepMapValue:
			mp := cur.(map[string]any)
			k := slices.Sorted(maps.Keys(mp))[0]
			if st.Kind == apimodel.StepMapKey {
				s = slot{set: func(x any) { v := mp[k]; delete(mp, k); mp[x.(string)] = v }}
				cur, sh = k, sh.Key
			} else {
				s = slot{set: func(x any) { mp[k] = x }}
				cur, sh = mp[k], sh.Value
				if !scalar(sh) {
					parts = append(parts, k)
				}
			}
		}
	}
	return s
}

func scalar(sh *apimodel.Shape) bool {
	switch sh.Type {
	case apimodel.TypeStructure, apimodel.TypeList, apimodel.TypeMap:
		return false
	}
	return true
}

func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = deepCopy(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = deepCopy(e)
		}
		return out
	}
	return v
}

// sweepCase is one request of the sweep.
type sweepCase struct {
	name string
	doc  map[string]any
	// violate says the request must be refused as invalid at path.
	violate bool
	path    string
}

// cases builds the requests for one constraint; skip explains a boundary
// or violation that cannot be expressed.
func (g *gen) cases(base map[string]any, in *apimodel.Shape, k apimodel.Constraint) (out []sweepCase, skips []string) {
	sh := k.Shape
	label := false
	if len(k.Steps) == 1 && k.Steps[0].Member.Location == apimodel.LocationURI {
		label = true
	}
	mk := func(name string, violate bool, value func(slot) bool) {
		doc := deepCopy(base).(map[string]any)
		s := g.locate(doc, in, k.Steps)
		if value(s) {
			out = append(out, sweepCase{name: s.path + " " + name, doc: doc, violate: violate, path: s.path})
		}
	}
	setTo := func(v any) func(slot) bool { return func(s slot) bool { s.set(v); return true } }
	sizeValue := func(n int) (any, bool) {
		switch sh.Type {
		case apimodel.TypeString:
			if s, ok := fit(sh, g.patterns[sh.Name], n); ok {
				return s, true
			}
			return strings.Repeat("a", n), false
		case apimodel.TypeList:
			return g.list(sh, n), true
		case apimodel.TypeMap:
			m, ok := g.mapOf(sh, n)
			return m, ok
		}
		return nil, false
	}
	switch k.Kind {
	case apimodel.ConstraintRequired:
		if label {
			skips = append(skips, "a required URI label cannot be left out")
			return
		}
		mk("required", true, func(s slot) bool { s.del(); return true })
	case apimodel.ConstraintMinLength, apimodel.ConstraintMaxLength:
		bound := int(sh.Min)
		if k.Kind == apimodel.ConstraintMaxLength {
			bound = int(sh.Max)
		}
		if bound > 8<<20 {
			skips = append(skips, "a bound above 8M elements is not sent")
			return
		}
		if bound == 0 && label {
			skips = append(skips, "an empty URI label cannot be sent")
		} else if v, ok := sizeValue(bound); ok {
			mk(fmt.Sprintf("%s=%d", k.Kind, bound), false, setTo(v))
		} else {
			skips = append(skips, fmt.Sprintf("no value of %d matches the pattern or key set of %s", bound, sh.Name))
		}
		bad := bound + 1
		if k.Kind == apimodel.ConstraintMinLength {
			bad = bound - 1
		}
		if bad < 0 {
			return // a minimum of 0 cannot be broken
		}
		if bad == 0 && label {
			skips = append(skips, "an empty URI label cannot be sent")
			return
		}
		v, _ := sizeValue(bad)
		if m, ok := v.(map[string]any); ok && len(m) != bad {
			skips = append(skips, "not enough distinct keys to break the size of "+sh.Name)
			return
		}
		mk(fmt.Sprintf("%s broken by %d", k.Kind, bad), true, setTo(v))
	case apimodel.ConstraintMinValue, apimodel.ConstraintMaxValue:
		bound := sh.Min
		bad := sh.Min - 1
		if k.Kind == apimodel.ConstraintMaxValue {
			bound, bad = sh.Max, sh.Max+1
		}
		mk(fmt.Sprintf("%s=%d", k.Kind, bound), false, setTo(json.Number(strconv.FormatInt(bound, 10))))
		mk(fmt.Sprintf("%s broken by %d", k.Kind, bad), true, setTo(json.Number(strconv.FormatInt(bad, 10))))
	case apimodel.ConstraintPattern:
		bad, ok := breakPattern(sh)
		if !ok {
			skips = append(skips, "no value of an allowed length breaks the pattern of "+sh.Name)
			return
		}
		mk("pattern broken", true, setTo(bad))
	case apimodel.ConstraintEnum:
		for _, e := range sh.Enum {
			if k.Steps[len(k.Steps)-1].Kind == apimodel.StepMapKey {
				continue // every key of an enum-keyed map is exercised by the size cases
			}
			mk("enum="+e, false, setTo(e))
		}
		mk("enum broken", true, setTo("NOT_IN_THE_ENUM"))
	case apimodel.ConstraintUnion:
		for _, m := range sh.Members {
			mk("union member "+m.Name, false, setTo(map[string]any{m.Name: g.sample(m.Target)}))
		}
		mk("union with no member", true, setTo(map[string]any{}))
		if len(sh.Members) > 1 {
			two := map[string]any{}
			for _, m := range sh.Members[:2] {
				two[m.Name] = g.sample(m.Target)
			}
			mk("union with two members", true, setTo(two))
		}
	}
	return out, skips
}

// sweepSetup is what a service's sweep needs besides the model.
type sweepSetup struct {
	g *gen
	// real gives top-level members (required ones, and all URI and query
	// members) values of real resources; perOp overrides per operation.
	real  map[string]any
	perOp map[string]map[string]any
	// fresh makes the value of a "$fresh:NAME" string, anew for each request.
	fresh map[string]func() any
	// minSucceeded is the share of boundary requests that must succeed.
	minSucceeded float64
	// gaps are the prefixes of the reasons a case may be inexpressible.
	gaps []string
}

func TestConstraintSweep(t *testing.T) {
	t.Parallel()
	base := startSweepServer(t)
	t.Run("connect", func(t *testing.T) {
		c := &signedClient{base: base, model: apimodel.Connect(), signer: v4.NewSigner(),
			creds: aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}}
		sweep(t, c, connectSweep(t, c))
	})
	t.Run("qconnect", func(t *testing.T) {
		c := &signedClient{base: base, model: apimodel.QConnect(), signer: v4.NewSigner(),
			creds: aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}}
		sweep(t, c, qconnectSweep(t, c))
	})
}

// call performs one setup call that must succeed; it may only be used
// before the sweep's subtests start.
func call(t *testing.T, c *signedClient, op string, doc map[string]any) map[string]any {
	t.Helper()
	r := c.send(t, c.model.Ops[op], doc)
	if r.status >= 300 {
		t.Fatalf("%s: %d %s %s", op, r.status, r.errType, r.message)
	}
	return r.body
}

// tryCall performs a call that makes a fresh resource for one request of
// the sweep; when it fails (a quota), the request gets an id that exists
// nowhere, which is still not a validation error.
func tryCall(c *signedClient, op string, doc map[string]any, path ...string) any {
	r := c.send(nil, c.model.Ops[op], doc)
	var v any = r.body
	for _, k := range path {
		m, _ := v.(map[string]any)
		v = m[k]
	}
	if r.status >= 300 || v == nil {
		return "00000000-0000-4000-8000-000000000000"
	}
	return v
}

func connectSweep(t *testing.T, c *signedClient) *sweepSetup {
	// Real resources, so that accepted requests reach the domain.
	call := func(op string, doc map[string]any) map[string]any { return call(t, c, op, doc) }
	inst := call("CreateInstance", map[string]any{"IdentityManagementType": "CONNECT_MANAGED", "InboundCallsEnabled": true, "OutboundCallsEnabled": true})
	instID, instARN := inst["Id"].(string), inst["Arn"].(string)
	addr := call("CreateEmailAddress", map[string]any{"InstanceId": instID, "EmailAddress": "support@example.com"})
	contact := call("CreateContact", map[string]any{"InstanceId": instID, "Channel": "EMAIL", "InitiationMethod": "OUTBOUND", "UserInfo": map[string]any{"UserId": "u"}})
	contactID, contactARN := contact["ContactId"].(string), contact["ContactArn"].(string)
	alias := call("CreateEmailAddress", map[string]any{"InstanceId": instID, "EmailAddress": "alias@example.com"})
	file := call("StartAttachedFileUpload", map[string]any{"InstanceId": instID, "AssociatedResourceArn": contactARN, "FileName": "a.pdf", "FileSizeInBytes": 1, "FileUseCaseType": "ATTACHMENT"})
	upload := file["UploadUrlMetadata"].(map[string]any)["Url"].(string)
	if resp, err := http.DefaultClient.Do(must(http.NewRequest("PUT", upload, strings.NewReader("x")))); err != nil || resp.StatusCode != 200 {
		t.Fatalf("upload: %v %v", resp, err)
	}
	addrID := addr["EmailAddressId"]

	// Top-level members taken from the real resources, and per operation.
	real := map[string]any{
		"InstanceId": instID, "ContactId": contactID, "InitialContactId": contactID,
		"EmailAddressId": addrID, "resourceArn": instARN, "AssociatedResourceArn": contactARN,
		"QueueId": "queue-1", "FileId": file["FileId"],
	}
	// "$fresh:..." values are replaced by a new resource for every request;
	// destructive operations get resources of their own.
	perOp := map[string]map[string]any{
		"CreateInstance":                {"InstanceAlias": "$fresh:alias", "IdentityManagementType": "CONNECT_MANAGED"},
		"CreateEmailAddress":            {"EmailAddress": "$fresh:email"},
		"CreateContact":                 {"Channel": "EMAIL", "InitiationMethod": "OUTBOUND", "UserInfo": map[string]any{"UserId": "agent"}},
		"StartOutboundEmailContact":     {"ContactId": "$fresh:contact"},
		"StopContact":                   {"ContactId": "$fresh:contact"},
		"SendOutboundEmail":             {"TrafficType": "CAMPAIGN"},
		"StartAttachedFileUpload":       {"AssociatedResourceArn": "$fresh:contactArn", "FileUseCaseType": "ATTACHMENT"},
		"TagResource":                   {"resourceArn": "$fresh:contactArn"},
		"AssociateEmailAddressAlias":    {"AliasConfiguration": map[string]any{"EmailAddressId": alias["EmailAddressId"]}},
		"DisassociateEmailAddressAlias": {"AliasConfiguration": map[string]any{"EmailAddressId": alias["EmailAddressId"]}},
		"DeleteInstance":                {"InstanceId": "00000000-0000-0000-0000-000000000000"},
		"DeleteEmailAddress":            {"EmailAddressId": "$fresh:emailId"},
	}
	raw := map[string]any{"Subject": "Hello", "Body": "Body", "ContentType": "text/plain"}
	g := &gen{patterns: connectPatterns, shapes: map[string]any{
		"OutboundEmailContent": map[string]any{"MessageSourceType": "RAW", "RawMessage": raw},
		"InboundEmailContent":  map[string]any{"MessageSourceType": "RAW", "RawMessage": raw},
		"OutboundRawMessage":   raw,
		"InboundRawMessage":    raw,
		"StringCondition":      map[string]any{"FieldName": "EmailAddress", "Value": "support", "ComparisonType": "CONTAINS"},
		"OutboundEmailConfig":  map[string]any{"OutboundEmailAddressId": addrID},
		"EmailAddressConfig":   map[string]any{"EmailAddressId": addrID},
		"Reference":            map[string]any{"Type": "URL", "Value": "https://example.com/x"},
	}}
	n := 0
	fresh := map[string]func() any{
		"alias": func() any { n++; return fmt.Sprintf("sweep%d", n) },
		"email": func() any { n++; return fmt.Sprintf("sweep%d@example.com", n) },
		"emailId": func() any {
			n++
			return call("CreateEmailAddress", map[string]any{"InstanceId": instID, "EmailAddress": fmt.Sprintf("gone%d@example.com", n)})["EmailAddressId"]
		},
		"contact": func() any {
			return call("CreateContact", map[string]any{"InstanceId": instID, "Channel": "EMAIL", "InitiationMethod": "OUTBOUND", "UserInfo": map[string]any{"UserId": "u"}})["ContactId"]
		},
		"contactArn": func() any {
			return call("CreateContact", map[string]any{"InstanceId": instID, "Channel": "EMAIL", "InitiationMethod": "OUTBOUND", "UserInfo": map[string]any{"UserId": "u"}})["ContactArn"]
		},
	}
	return &sweepSetup{g: g, real: real, perOp: perOp, fresh: fresh, minSucceeded: 0.5,
		gaps: []string{"a required URI label", "an empty URI label", "no value of 1 matches the pattern or key set of EmailAddress"}}
}

// sweep sends the requests of every constraint of every supported
// operation of c's service.
func sweep(t *testing.T, c *signedClient, su *sweepSetup) {
	model, g := c.model, su.g
	resolve := func(doc map[string]any) {
		for k, v := range doc {
			if s, ok := v.(string); ok && strings.HasPrefix(s, "$fresh:") {
				doc[k] = su.fresh[strings.TrimPrefix(s, "$fresh:")]()
			}
		}
	}
	var checked, accepted, succeeded, skipped int
	skipReasons := map[string]int{}
	for _, op := range model.Operations() {
		if !op.Supported || op.Input == "" {
			continue
		}
		in := model.Shapes[op.Input]
		t.Run(op.Name, func(t *testing.T) {
			doc := g.sample(in).(map[string]any)
			for _, m := range in.Members {
				if v, ok := su.real[m.Name]; ok && (m.Required || m.Location != apimodel.LocationBody) {
					doc[m.Name] = v
				}
			}
			maps.Copy(doc, su.perOp[op.Name])
			if probe := deepCopy(doc).(map[string]any); true {
				resolve(probe)
				if err := model.Validate(op.Input, probe); err != nil {
					t.Fatalf("the base document is invalid: %v", err)
				}
			}
			cases := []sweepCase{{name: "base", doc: doc}}
			for k := range model.Constraints(op.Input) {
				k.Steps = slices.Clone(k.Steps)
				if k.Kind == apimodel.ConstraintPattern {
					if _, ok := g.patterns[k.Shape.Name]; !ok {
						t.Errorf("patterned shape %s has no sample in the sweep's patterns", k.Shape.Name)
						continue
					}
				}
				cs, skips := g.cases(doc, in, k)
				for _, s := range skips {
					skipReasons[s]++
				}
				skipped += len(skips)
				cases = append(cases, cs...)
			}
			// JSON null for each optional body member: the same as leaving
			// it out, never a server error.
			for _, m := range in.Members {
				if m.Location != apimodel.LocationBody || m.Required {
					continue
				}
				d := deepCopy(doc).(map[string]any)
				d[m.Name] = nil
				cases = append(cases, sweepCase{name: m.Name + "=null", doc: d})
			}
			for _, tc := range cases {
				resolve(tc.doc)
				r := c.send(t, op, tc.doc)
				checked++
				if tc.violate {
					if !r.isValidationError(op) {
						t.Errorf("%s: got %d %s %q, want 400 %s", tc.name, r.status, r.errType, r.message, op.ValidationShape())
					} else if !strings.Contains(r.message, "at '"+tc.path+"'") {
						t.Errorf("%s: the message does not name %q: %s", tc.name, tc.path, r.message)
					}
					continue
				}
				accepted++
				if r.status < 300 {
					succeeded++
				} else if testing.Verbose() {
					t.Logf("boundary %s: %d %s %.120s", tc.name, r.status, r.errType, r.message)
				}
				if r.isValidationError(op) || r.status >= 500 {
					t.Errorf("%s: on the boundary, got %d %s %q", tc.name, r.status, r.errType, r.message)
				}
			}
		})
	}
	keys := slices.Sorted(maps.Keys(skipReasons))
	sort.Strings(keys)
	for _, k := range keys {
		t.Logf("not expressible (%d×): %s", skipReasons[k], k)
	}
	t.Logf("%d requests: %d violations, %d on boundaries (%d of them succeeded); %d cases not expressible", checked, checked-accepted, accepted, succeeded, skipped)
	if float64(succeeded) < su.minSucceeded*float64(accepted) {
		t.Errorf("only %d of %d boundary requests succeeded: the base documents do not reach the domain", succeeded, accepted)
	}
	for _, k := range keys {
		if !slices.ContainsFunc(su.gaps, func(p string) bool { return strings.HasPrefix(k, p) }) {
			t.Errorf("unexpected gap in the sweep: %s", k)
		}
	}
}

// qconnectPatterns are the patterned string shapes of the supported Q in Connect inputs.
var qconnectPatterns = map[string]string{
	"UuidOrArn":                      "00000000-0000-4000-8000-000000000000",
	"UuidOrArnOrEitherWithQualifier": "00000000-0000-4000-8000-000000000000",
	"Uuid":                           "00000000-0000-4000-8000-000000000000",
	"Arn":                            "arn:aws:wisdom:us-east-1:000000000000:knowledge-base/00000000-0000-4000-8000-000000000000",
	"GenericArn":                     "arn:aws:app-integrations:us-east-1:000000000000:data-integration/x",
	"Name":                           "sweep",
	"Description":                    "sweep",
	"TagKey":                         "team",
	"WebUrl":                         "https://example.com",
	"BedrockModelArnForParsing":      "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0",
	"EmailHeaderKey":                 "X-Sweep",
	"EmailHeaderValue":               "v",
	"WhatsAppBusinessAccountId":      "waba-1",
	"WhatsAppMessageTemplateId":      "1",
	"AttachmentFileName":             "sweep.pdf",
	"MessageTemplateContentSha256":   "abc",
}

func qconnectSweep(t *testing.T, c *signedClient) *sweepSetup {
	call := func(op string, doc map[string]any) map[string]any { return call(t, c, op, doc) }
	n := 0
	kbName := func() any { n++; return fmt.Sprintf("sweep%d", n) }
	kb := call("CreateKnowledgeBase", map[string]any{"name": kbName(), "knowledgeBaseType": "MESSAGE_TEMPLATES"})["knowledgeBase"].(map[string]any)
	kbID := kb["knowledgeBaseId"]
	email := map[string]any{"email": map[string]any{"subject": "Order {{Attributes.Custom.o}}",
		"body": map[string]any{"plainText": map[string]any{"content": "Hello {{Attributes.Custom.o}}"}}}}
	newTemplate := func() map[string]any {
		return call("CreateMessageTemplate", map[string]any{"knowledgeBaseId": kbID, "name": kbName(), "channelSubtype": "EMAIL", "content": email})["messageTemplate"].(map[string]any)
	}
	tpl := newTemplate()
	tplID := tpl["messageTemplateId"]
	call("CreateMessageTemplateVersion", map[string]any{"knowledgeBaseId": kbID, "messageTemplateId": tplID})
	newAttachment := func() any {
		return call("CreateMessageTemplateAttachment", map[string]any{"knowledgeBaseId": kbID, "messageTemplateId": tplID,
			"name": kbName().(string) + ".pdf", "contentDisposition": "ATTACHMENT", "body": "aGVsbG8="})["attachment"].(map[string]any)["attachmentId"]
	}
	real := map[string]any{"knowledgeBaseId": kbID, "messageTemplateId": tplID, "resourceArn": kb["knowledgeBaseArn"], "attachmentId": newAttachment()}
	perOp := map[string]map[string]any{
		"CreateKnowledgeBase":             {"name": "$fresh:name", "knowledgeBaseType": "MESSAGE_TEMPLATES"},
		"DeleteKnowledgeBase":             {"knowledgeBaseId": "$fresh:kb"},
		"CreateMessageTemplate":           {"name": "$fresh:name", "channelSubtype": "EMAIL", "content": email},
		"UpdateMessageTemplate":           {"content": email},
		"DeleteMessageTemplate":           {"messageTemplateId": "$fresh:template"},
		"ActivateMessageTemplate":         {"versionNumber": json.Number("1")},
		"DeactivateMessageTemplate":       {"versionNumber": json.Number("1")},
		"CreateMessageTemplateAttachment": {"name": "$fresh:file", "contentDisposition": "ATTACHMENT", "body": "aGVsbG8="},
		"DeleteMessageTemplateAttachment": {"attachmentId": "$fresh:attachment"},
		"TagResource":                     {"resourceArn": "$fresh:templateArn"},
	}
	g := &gen{patterns: qconnectPatterns, shapes: map[string]any{
		"MessageTemplateContentProvider": email,
	}}
	try := func(op string, doc map[string]any, path ...string) func() any {
		return func() any {
			d := deepCopy(doc).(map[string]any)
			if _, ok := d["name"]; ok {
				d["name"] = kbName()
			}
			return tryCall(c, op, d, path...)
		}
	}
	fresh := map[string]func() any{
		"name":        kbName,
		"file":        func() any { return kbName().(string) + ".pdf" },
		"kb":          try("CreateKnowledgeBase", map[string]any{"name": "", "knowledgeBaseType": "MESSAGE_TEMPLATES"}, "knowledgeBase", "knowledgeBaseId"),
		"template":    try("CreateMessageTemplate", map[string]any{"knowledgeBaseId": kbID, "name": "", "channelSubtype": "EMAIL", "content": email}, "messageTemplate", "messageTemplateId"),
		"templateArn": try("CreateMessageTemplate", map[string]any{"knowledgeBaseId": kbID, "name": "", "channelSubtype": "EMAIL", "content": email}, "messageTemplate", "messageTemplateArn"),
		"attachment": func() any {
			return tryCall(c, "CreateMessageTemplateAttachment", map[string]any{"knowledgeBaseId": kbID, "messageTemplateId": tplID,
				"name": kbName().(string) + ".pdf", "contentDisposition": "ATTACHMENT", "body": "aGVsbG8="}, "attachment", "attachmentId")
		},
	}
	return &sweepSetup{g: g, real: real, perOp: perOp, fresh: fresh, minSucceeded: 0.5,
		gaps: []string{"a required URI label", "an empty URI label",
			// Patterns whose shortest match is longer than the model's minimum length.
			"no value of 1 matches the pattern or key set of AttachmentFileName",
			"no value of 1 matches the pattern or key set of BedrockModelArnForParsing",
			"no value of 1 matches the pattern or key set of GenericArn",
			"no value of 1 matches the pattern or key set of WhatsAppBusinessAccountId",
			// A pattern that matches exactly one string.
			"no value of 2048 matches the pattern or key set of BedrockModelArnForParsing",
			// An unanchored pattern ([ -~]*) that every string satisfies.
			"no value of an allowed length breaks the pattern of EmailHeaderValue",
		}}
}
