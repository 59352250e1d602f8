package clients_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/connectmail/connectmail/apimodel"
	"github.com/connectmail/connectmail/awsapi"
	"github.com/connectmail/connectmail/server/servertest"
	"github.com/google/uuid"
)

// The aws-sdk-go-v2 half of the scenarios: the same interpreter as
// clients/js/scenarios.test.mjs and clients/python/scenarios.py. Q in
// Connect steps go through SigV4-signed requests built from apimodel, as
// aws-sdk-go-v2/service/qconnect is not available here.

type scenarioDoc struct {
	Credentials map[string][2]string `json:"credentials"`
	Scenarios   []scenario           `json:"scenarios"`
}

type scenario struct {
	Name  string `json:"name"`
	Steps []step `json:"steps"`
}

type step struct {
	Name     string          `json:"name"`
	Service  string          `json:"service"`
	Op       string          `json:"op"`
	As       string          `json:"as"`
	Fault    string          `json:"fault"`
	Paginate string          `json:"paginate"`
	Input    json.RawMessage `json:"input"`
	HTTP     *struct {
		Method string  `json:"method"`
		URL    string  `json:"url"`
		Body   *string `json:"body"`
	} `json:"http"`
	Check  []string `json:"check"`
	Expect struct {
		Error    string         `json:"error"`
		Status   int            `json:"status"`
		Attempts int            `json:"attempts"`
		Values   map[string]any `json:"values"`
	} `json:"expect"`
}

// outcome is the normalized result of one step, as every runner writes it.
type outcome struct {
	OK       bool           `json:"ok"`
	Error    string         `json:"error,omitempty"`
	Message  string         `json:"message,omitempty"`
	Status   int            `json:"status"`
	Attempts int            `json:"attempts"`
	Values   map[string]any `json:"values"`
	// Compare is false for the steps the aws CLI cannot reproduce (faults, paging).
	Compare *bool `json:"compare,omitempty"`
}

type result struct {
	Scenario string  `json:"scenario"`
	Step     string  `json:"step"`
	Outcome  outcome `json:"outcome"`
}

type results struct {
	Client  string   `json:"client"`
	Run     string   `json:"run"`
	Results []result `json:"results"`
}

var (
	uuidRE     = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
	isoRE      = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$`)
	endpointRE = regexp.MustCompile(`^https?://[^/]+`)
	refRE      = regexp.MustCompile(`\$\{([^}]+)\}`)
)

// countingTransport counts the HTTP requests of a step (the SDK's attempts)
// and remembers the last status.
type countingTransport struct {
	mu     sync.Mutex
	n      int
	status int
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(r)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
	if resp != nil {
		c.status = resp.StatusCode
	}
	return resp, err
}

func (c *countingTransport) reset() (int, int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n, s := c.n, c.status
	c.n, c.status = 0, 0
	return n, s
}

type goRunner struct {
	endpoint string
	run      string
	doc      *scenarioDoc
	counter  *countingTransport
	clients  map[string]*connect.Client
	bound    map[string]any
	symbols  map[string]string
}

func newGoRunner(endpoint, run string, doc *scenarioDoc) *goRunner {
	return &goRunner{endpoint: endpoint, run: run, doc: doc, counter: &countingTransport{},
		clients: map[string]*connect.Client{}, bound: map[string]any{}, symbols: map[string]string{run: "${run}"}}
}

func (r *goRunner) client(who string) *connect.Client {
	if c, ok := r.clients[who]; ok {
		return c
	}
	k := r.doc.Credentials[who]
	c := servertest.ClientAs(r.endpoint, k[0], k[1], func(o *connect.Options) {
		o.HTTPClient = &http.Client{Transport: r.counter}
	})
	r.clients[who] = c
	return c
}

// withFault adds the fault header to every attempt of one call.
func withFault(value string) func(*connect.Options) {
	return func(o *connect.Options) {
		o.APIOptions = append(o.APIOptions, func(stack *middleware.Stack) error {
			return stack.Build.Add(middleware.BuildMiddlewareFunc("connectmailFault",
				func(ctx context.Context, in middleware.BuildInput, next middleware.BuildHandler) (middleware.BuildOutput, middleware.Metadata, error) {
					if req, ok := in.Request.(*smithyhttp.Request); ok {
						req.Header.Set(awsapi.FaultHeader, value)
					}
					return next.HandleBuild(ctx, in)
				}), middleware.After)
		})
	}
}

func (r *goRunner) lookup(ref string) any {
	switch ref {
	case "run":
		return r.run
	case "client":
		return "go"
	}
	name, path, _ := strings.Cut(ref, ".")
	return get(r.bound[name], path)
}

func (r *goRunner) resolve(x any) any {
	switch v := x.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[k] = r.resolve(e)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = r.resolve(e)
		}
		return out
	case string:
		if m := refRE.FindStringSubmatch(v); m != nil && m[0] == v {
			return r.lookup(m[1])
		}
		return refRE.ReplaceAllStringFunc(v, func(s string) string {
			return fmt.Sprint(r.lookup(s[2 : len(s)-1]))
		})
	}
	return x
}

// get resolves a dotted path case-insensitively in a generic document; "#" is a length.
func get(doc any, path string) any {
	cur := doc
	if path == "" {
		return cur
	}
	for _, seg := range strings.Split(path, ".") {
		switch v := cur.(type) {
		case nil:
			return nil
		case []any:
			if seg == "#" {
				return float64(len(v))
			}
			i, err := strconv.Atoi(seg)
			if err != nil || i >= len(v) {
				return nil
			}
			cur = v[i]
		case map[string]any:
			if seg == "#" {
				return float64(len(v))
			}
			cur = nil
			for k, e := range v {
				if strings.EqualFold(k, seg) {
					cur = e
				}
			}
		default:
			return nil
		}
	}
	return cur
}

func (r *goRunner) nstr(s string) string {
	keys := make([]string, 0, len(r.symbols))
	for k := range r.symbols {
		keys = append(keys, k)
	}
	sort.SliceStable(keys, func(i, j int) bool { return len(keys[i]) > len(keys[j]) })
	for _, k := range keys {
		s = strings.ReplaceAll(s, k, r.symbols[k])
	}
	s = uuidRE.ReplaceAllString(s, "<uuid>")
	if isoRE.MatchString(s) {
		return "<iso8601>"
	}
	if strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://") {
		if i := strings.IndexByte(s, '?'); i >= 0 {
			s = s[:i] + "?<query>"
		}
		s = endpointRE.ReplaceAllString(s, "<endpoint>")
	}
	return s
}

// norm normalizes a generic document (strings, float64, bool, maps, lists, time.Time).
func (r *goRunner) norm(v any) any {
	switch x := v.(type) {
	case time.Time:
		if math.Abs(time.Since(x).Seconds()) < 86400 {
			return "<timestamp>"
		}
		return "<timestamp " + x.UTC().Format("2006-01-02T15:04:05Z") + ">"
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			if e != nil {
				out[k] = r.norm(e)
			}
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = r.norm(e)
		}
		return out
	case string:
		return r.nstr(x)
	}
	return v
}

func (r *goRunner) project(st *step, raw any) map[string]any {
	values := map[string]any{}
	for _, path := range st.Check {
		if text, ok := strings.CutPrefix(path, "contains:"); ok {
			body, _ := get(raw, "body").(string)
			values[path] = strings.Contains(body, text)
			continue
		}
		v := get(raw, path)
		values[path] = r.norm(v)
		if s, ok := v.(string); ok && (uuidRE.MatchString(s) || strings.Contains(s, r.run)) {
			if _, dup := r.symbols[s]; !dup {
				r.symbols[s] = "${" + st.Name + "." + path + "}"
			}
		}
	}
	return values
}

// generic turns an SDK value into a generic document: structs by field
// name, unions as {"Member": value}, times kept as time.Time.
func generic(v reflect.Value) any {
	switch v.Kind() {
	case reflect.Invalid:
		return nil
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		if v.Kind() == reflect.Interface {
			e := v.Elem()
			t := e.Type()
			if t.Kind() == reflect.Pointer {
				t = t.Elem()
			}
			// A union member: *types.<Union>Member<Name>{Value: ...}.
			if i := strings.Index(t.Name(), "Member"); i > 0 && t.Kind() == reflect.Struct {
				if f, ok := t.FieldByName("Value"); ok && f.IsExported() {
					return map[string]any{t.Name()[i+len("Member"):]: generic(reflect.Indirect(e).FieldByName("Value"))}
				}
			}
			if t.Name() == "UnknownUnionMember" {
				return map[string]any{"$unknown": reflect.Indirect(e).FieldByName("Tag").String()}
			}
			return generic(e)
		}
		return generic(v.Elem())
	case reflect.Struct:
		if t, ok := v.Interface().(time.Time); ok {
			return t
		}
		out := map[string]any{}
		for i := 0; i < v.NumField(); i++ {
			f := v.Type().Field(i)
			if !f.IsExported() || f.Name == "ResultMetadata" || f.Name == "ErrorCodeOverride" {
				continue
			}
			if g := generic(v.Field(i)); g != nil {
				out[f.Name] = g
			}
		}
		return out
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return base64.StdEncoding.EncodeToString(v.Bytes())
		}
		if v.Kind() == reflect.Slice && v.IsNil() {
			return nil
		}
		out := make([]any, v.Len())
		for i := range out {
			out[i] = generic(v.Index(i))
		}
		return out
	case reflect.Map:
		if v.IsNil() {
			return nil
		}
		out := map[string]any{}
		for _, k := range v.MapKeys() {
			out[k.String()] = generic(v.MapIndex(k))
		}
		return out
	case reflect.String:
		return v.String()
	case reflect.Bool:
		return v.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return float64(v.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return float64(v.Uint())
	case reflect.Float32, reflect.Float64:
		return v.Float()
	}
	return fmt.Sprint(v.Interface())
}

// paginators are the SDK paginators the scenarios use.
var paginators = map[string]func(ctx context.Context, c *connect.Client, in json.RawMessage, item string, opts func(*connect.Options)) (pages int, items []any, err error){
	"ListContactReferences": func(ctx context.Context, c *connect.Client, in json.RawMessage, item string, opts func(*connect.Options)) (int, []any, error) {
		var input connect.ListContactReferencesInput
		if err := json.Unmarshal(in, &input); err != nil {
			return 0, nil, err
		}
		p := connect.NewListContactReferencesPaginator(c, &input)
		n := 0
		var items []any
		for p.HasMorePages() {
			page, err := p.NextPage(ctx, opts)
			if err != nil {
				return n, items, err
			}
			n++
			items = append(items, generic(reflect.ValueOf(page.ReferenceSummaryList)).([]any)...)
		}
		return n, items, nil
	},
}

func (r *goRunner) step(ctx context.Context, index int, st *step) outcome {
	if st.HTTP != nil {
		return r.http(st)
	}
	var input any
	if len(st.Input) > 0 {
		if err := json.Unmarshal(st.Input, &input); err != nil {
			return outcome{Error: "bad scenario input: " + err.Error()}
		}
	}
	resolved, _ := json.Marshal(r.resolve(input))
	if st.Service == "qconnect" {
		return r.raw(ctx, st, resolved)
	}
	who := st.As
	if who == "" {
		who = "default"
	}
	c := r.client(who)
	opts := func(*connect.Options) {}
	if st.Fault != "" {
		opts = withFault(fmt.Sprintf("%s %s/%d/%s", st.Fault, r.run, index, st.Name))
	}
	r.counter.reset()
	var out any
	var err error
	if st.Paginate != "" {
		pager, ok := paginators[st.Op]
		if !ok {
			return outcome{Error: "no Go paginator for " + st.Op}
		}
		var pages int
		var items []any
		pages, items, err = pager(ctx, c, resolved, st.Paginate, opts)
		out = map[string]any{"pages": float64(pages), "items": items}
	} else {
		m := reflect.ValueOf(c).MethodByName(st.Op)
		if !m.IsValid() {
			return outcome{Error: "no Go SDK method " + st.Op}
		}
		in := reflect.New(m.Type().In(1).Elem())
		if err := json.Unmarshal(resolved, in.Interface()); err != nil {
			return outcome{Error: "input does not fit the Go SDK: " + err.Error()}
		}
		res := m.Call([]reflect.Value{reflect.ValueOf(ctx), in, reflect.ValueOf(opts)})
		if e, _ := res[1].Interface().(error); e != nil {
			err = e
		} else {
			out = generic(res[0])
		}
	}
	attempts, status := r.counter.reset()
	if pages, ok := get(out, "pages").(float64); ok && pages > 1 {
		attempts -= int(pages) - 1 // the attempts of the last page, as the other SDKs report them
	}
	if err != nil {
		o := outcome{Status: status, Attempts: attempts, Error: "UnknownError", Message: err.Error()}
		var ae smithy.APIError
		if errors.As(err, &ae) {
			o.Error, o.Message = ae.ErrorCode(), r.nstr(ae.ErrorMessage())
			o.Values = r.project(st, generic(reflect.ValueOf(ae)))
		}
		var re *smithyhttp.ResponseError
		if errors.As(err, &re) {
			o.Status = re.HTTPStatusCode()
		}
		return o
	}
	r.bound[st.Name] = out
	return outcome{OK: true, Status: status, Attempts: attempts, Values: r.project(st, out)}
}

func (r *goRunner) http(st *step) outcome {
	var spec map[string]any
	b, _ := json.Marshal(st.HTTP)
	_ = json.Unmarshal(b, &spec)
	spec = r.resolve(spec).(map[string]any)
	var body io.Reader
	if s, ok := spec["body"].(string); ok {
		body = strings.NewReader(s)
	}
	req, err := http.NewRequest(spec["method"].(string), fmt.Sprint(spec["url"]), body)
	if err != nil {
		return outcome{Error: err.Error()}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return outcome{Error: err.Error()}
	}
	defer resp.Body.Close()
	text, _ := io.ReadAll(resp.Body)
	raw := map[string]any{"status": float64(resp.StatusCode), "body": string(text)}
	r.bound[st.Name] = raw
	return outcome{OK: true, Status: resp.StatusCode, Attempts: 1, Values: r.project(st, raw)}
}

// raw sends a Q in Connect step as a SigV4-signed request bound from
// apimodel, and types the response's timestamps from the output shape.
func (r *goRunner) raw(ctx context.Context, st *step, input []byte) outcome {
	model := apimodel.QConnect()
	op := model.Ops[st.Op]
	if op == nil {
		return outcome{Error: "no qconnect operation " + st.Op}
	}
	var doc map[string]any
	_ = json.Unmarshal(input, &doc)
	in := model.Shapes[op.Input]
	path := op.PathTemplate
	query := url.Values{}
	body := map[string]any{}
	if in != nil {
		for _, m := range in.Members {
			v, ok := doc[m.Name]
			if !ok && m.IdempotencyToken {
				v, ok = uuid.NewString(), true
			}
			if !ok {
				continue
			}
			switch m.Location {
			case apimodel.LocationURI:
				path = strings.Replace(path, "{"+m.LocationName+"}", url.PathEscape(fmt.Sprint(v)), 1)
			case apimodel.LocationQuery:
				query.Set(m.LocationName, fmt.Sprint(v))
			default:
				body[m.Name] = v
			}
		}
	}
	var payload []byte
	if op.Method == "POST" || op.Method == "PUT" || len(body) > 0 {
		payload, _ = json.Marshal(body)
	}
	u := r.endpoint + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	req, _ := http.NewRequestWithContext(ctx, op.Method, u, bytes.NewReader(payload))
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	k := r.doc.Credentials["default"]
	sum := sha256.Sum256(payload)
	if err := v4.NewSigner().SignHTTP(ctx, aws.Credentials{AccessKeyID: k[0], SecretAccessKey: k[1]}, req, hex.EncodeToString(sum[:]), "wisdom", "us-east-1", time.Now()); err != nil {
		return outcome{Error: err.Error()}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return outcome{Error: err.Error()}
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var out any = map[string]any{}
	if len(bytes.TrimSpace(b)) > 0 {
		_ = json.Unmarshal(b, &out)
	}
	if resp.StatusCode >= 300 {
		msg, _ := get(out, "message").(string)
		code := resp.Header.Get("X-Amzn-ErrorType")
		return outcome{Error: code, Message: r.nstr(msg), Status: resp.StatusCode, Attempts: 1, Values: r.project(st, out)}
	}
	if sh := model.Shapes[op.Output]; sh != nil {
		out = timestamps(sh, out)
	}
	r.bound[st.Name] = out
	return outcome{OK: true, Status: resp.StatusCode, Attempts: 1, Values: r.project(st, out)}
}

// timestamps replaces the JSON values of timestamp members with time.Time,
// as an SDK deserializer does.
func timestamps(sh *apimodel.Shape, v any) any {
	switch sh.Type {
	case apimodel.TypeTimestamp:
		switch x := v.(type) {
		case float64:
			sec, frac := math.Modf(x)
			return time.Unix(int64(sec), int64(frac*1e9))
		case string:
			if t, err := time.Parse(time.RFC3339Nano, x); err == nil {
				return t
			}
		}
	case apimodel.TypeStructure:
		if obj, ok := v.(map[string]any); ok {
			for _, m := range sh.Members {
				if e, ok := obj[m.Name]; ok {
					obj[m.Name] = timestamps(m.Target, e)
				}
			}
		}
	case apimodel.TypeList:
		if list, ok := v.([]any); ok {
			for i := range list {
				list[i] = timestamps(sh.Member, list[i])
			}
		}
	case apimodel.TypeMap:
		if obj, ok := v.(map[string]any); ok {
			for k, e := range obj {
				obj[k] = timestamps(sh.Value, e)
			}
		}
	}
	return v
}

// runGo runs every scenario through aws-sdk-go-v2.
func runGo(ctx context.Context, endpoint, runBase string, doc *scenarioDoc) results {
	out := results{Client: "go", Run: runBase}
	for i, sc := range doc.Scenarios {
		r := newGoRunner(endpoint, fmt.Sprintf("%s%02d", runBase, i), doc)
		for j := range sc.Steps {
			st := &sc.Steps[j]
			out.Results = append(out.Results, result{Scenario: sc.Name, Step: st.Name, Outcome: r.step(ctx, i, st)})
		}
	}
	return out
}

// lowerKeys lower-cases the keys of every object, so that aws-sdk-go-v2's
// field names (Tags) meet the model's member names (tags).
func lowerKeys(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[strings.ToLower(k)] = lowerKeys(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = lowerKeys(e)
		}
		return out
	}
	return v
}

// canonical is an outcome as a comparable JSON text.
func canonical(o outcome) string {
	o.Compare = nil
	b, _ := json.Marshal(o)
	var g any
	_ = json.Unmarshal(b, &g)
	b, _ = json.Marshal(lowerKeys(g))
	return string(b)
}
