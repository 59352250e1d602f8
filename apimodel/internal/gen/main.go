// Command gen writes apimodel's tables (zz_<service>.go) from the botocore
// JSON models of Amazon Connect and Amazon Q in Connect.
//
//	go run ./internal/gen -models internal/gen/models -out .
//
// The models in internal/gen/models are botocore's JSON models without
// their documentation strings. To update them, put the new botocore files
// in a directory under the names services gives them and run
//
//	go run ./internal/gen -import DIR -models internal/gen/models
//
// For every operation it writes the HTTP binding, the input/output shape
// names and the modeled errors. For the operations listed in services (the
// one place that says what connectmail supports) it also writes the
// transitive closure of their input and output shapes, every error shape of
// the service, and the paginators. Documentation strings are never copied.
//
// The generator refuses, with an error naming the shape, anything it would
// otherwise have to drop silently: an unknown shape or member trait, a
// member location or a pattern it cannot translate (see patterns.go).
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"go/format"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// serviceSpec names one service's model files and its supported operations.
type serviceSpec struct {
	name       string // apimodel's name of the service: file zz_<name>.go, var <name>Model
	model      string // botocore service-2.json file name
	paginators string // botocore paginators-1.json file name
	supported  []string
}

// services lists the supported operations of each service. Extending
// connectmail to a new operation starts here.
var services = []serviceSpec{
	{
		name:       "connect",
		model:      "connect-2017-08-08.service-2.json",
		paginators: "connect-2017-08-08.paginators-1.json",
		supported: []string{
			"StartOutboundEmailContact", "CreateContact", "DescribeContact", "StopContact",
			"StartEmailContact", "SendOutboundEmail",
			"CreateEmailAddress", "DescribeEmailAddress", "SearchEmailAddresses",
			"UpdateEmailAddressMetadata", "DeleteEmailAddress",
			"AssociateEmailAddressAlias", "DisassociateEmailAddressAlias",
			"GetContactAttributes", "UpdateContactAttributes",
			"CreateInstance", "DescribeInstance", "ListInstances", "DeleteInstance",
			"TagResource", "UntagResource", "ListTagsForResource",
			"StartAttachedFileUpload", "CompleteAttachedFileUpload", "GetAttachedFile",
			"ListContactReferences",
			"AssociateQueueEmailAddresses", "DisassociateQueueEmailAddresses",
			"ListQueueEmailAddresses", "UpdateQueueOutboundEmailConfig",
		},
	},
	{
		name:       "qconnect",
		model:      "qconnect-2020-10-19.service-2.json",
		paginators: "qconnect-2020-10-19.paginators-1.json",
		supported: []string{
			"CreateKnowledgeBase", "GetKnowledgeBase", "ListKnowledgeBases", "DeleteKnowledgeBase",
			"CreateMessageTemplate", "GetMessageTemplate", "UpdateMessageTemplate",
			"UpdateMessageTemplateMetadata", "CreateMessageTemplateVersion",
			"ActivateMessageTemplate", "DeactivateMessageTemplate",
			"ListMessageTemplates", "ListMessageTemplateVersions", "SearchMessageTemplates",
			"DeleteMessageTemplate", "RenderMessageTemplate",
			"CreateMessageTemplateAttachment", "DeleteMessageTemplateAttachment",
			"TagResource", "UntagResource", "ListTagsForResource",
		},
	},
}

func main() {
	models := flag.String("models", "internal/gen/models", "directory of the botocore JSON models")
	out := flag.String("out", ".", "directory to write zz_<service>.go into")
	imp := flag.String("import", "", "instead of generating, copy the models from this botocore directory into -models without their documentation")
	flag.Parse()
	run := run
	if *imp != "" {
		run = func(models, _ string) error { return importModels(*imp, models) }
	}
	if err := run(*models, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(modelsDir, outDir string) error {
	for _, spec := range services {
		src, err := generate(spec, modelsDir)
		if err != nil {
			return fmt.Errorf("%s: %w", spec.name, err)
		}
		if err := os.WriteFile(filepath.Join(outDir, "zz_"+spec.name+".go"), src, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// Raw model types. Shapes and members are first read as key → raw value so
// that unknown traits can be refused.

type rawModel struct {
	Metadata struct {
		APIVersion     string `json:"apiVersion"`
		EndpointPrefix string `json:"endpointPrefix"`
		Protocol       string `json:"protocol"`
		ServiceID      string `json:"serviceId"`
		SigningName    string `json:"signingName"`
	} `json:"metadata"`
	Operations map[string]rawOp                      `json:"operations"`
	Shapes     map[string]map[string]json.RawMessage `json:"shapes"`
}

type shapeRef struct {
	Shape string `json:"shape"`
}

type rawOp struct {
	Name string `json:"name"`
	HTTP struct {
		Method       string `json:"method"`
		RequestURI   string `json:"requestUri"`
		ResponseCode *int   `json:"responseCode"`
	} `json:"http"`
	Input  *shapeRef  `json:"input"`
	Output *shapeRef  `json:"output"`
	Errors []shapeRef `json:"errors"`
}

type rawShape struct {
	Type            string       `json:"type"`
	Required        []string     `json:"required"`
	Member          *shapeRef    `json:"member"`
	Key             *shapeRef    `json:"key"`
	Value           *shapeRef    `json:"value"`
	Min             *json.Number `json:"min"`
	Max             *json.Number `json:"max"`
	Pattern         *string      `json:"pattern"`
	Enum            []string     `json:"enum"`
	Sensitive       bool         `json:"sensitive"`
	TimestampFormat string       `json:"timestampFormat"`
	Union           bool         `json:"union"`
	Document        bool         `json:"document"`
	Exception       bool         `json:"exception"`
	Error           *struct {
		HTTPStatusCode int  `json:"httpStatusCode"`
		SenderFault    bool `json:"senderFault"`
	} `json:"error"`
}

type rawMember struct {
	Shape            string `json:"shape"`
	Location         string `json:"location"`
	LocationName     string `json:"locationName"`
	IdempotencyToken bool   `json:"idempotencyToken"`
}

// Traits the generator understands or may ignore without losing a
// constraint. Anything else on a shape it writes is an error.
var (
	shapeKeys = set("type", "members", "required", "member", "key", "value", "min", "max",
		"pattern", "enum", "sensitive", "timestampFormat", "union", "document", "exception",
		"error", "documentation", "box", "retryable", "deprecated", "deprecatedMessage",
		"deprecatedSince")
	memberKeys = set("shape", "location", "locationName", "idempotencyToken", "documentation",
		"box", "deprecated", "deprecatedMessage", "deprecatedSince")
	shapeTypes = map[string]string{
		"structure": "TypeStructure", "list": "TypeList", "map": "TypeMap", "string": "TypeString",
		"integer": "TypeInteger", "long": "TypeLong", "boolean": "TypeBoolean",
		"timestamp": "TypeTimestamp", "blob": "TypeBlob", "double": "TypeDouble",
		"float": "TypeFloat",
	}
	locations = map[string]string{
		"uri": "LocationURI", "querystring": "LocationQuery", "header": "LocationHeader",
		"headers": "LocationHeaders",
	}
	timestampFormats = map[string]string{
		"iso8601": "TimestampISO8601", "unixTimestamp": "TimestampEpoch", "rfc822": "TimestampHTTP",
	}
)

func set(keys ...string) map[string]bool {
	m := make(map[string]bool, len(keys))
	for _, k := range keys {
		m[k] = true
	}
	return m
}

type rawPaginator struct {
	InputToken       any      `json:"input_token"`
	OutputToken      any      `json:"output_token"`
	LimitKey         string   `json:"limit_key"`
	ResultKey        any      `json:"result_key"`
	NonAggregateKeys []string `json:"non_aggregate_keys"`
}

// Decoded shape of the closure, ready to be written.
type shape struct {
	name     string
	raw      rawShape
	members  []member
	pattern  *translated
	typeName string
}

type member struct {
	name string
	raw  rawMember
}

func generate(spec serviceSpec, modelsDir string) ([]byte, error) {
	var m rawModel
	if err := readJSON(filepath.Join(modelsDir, spec.model), &m); err != nil {
		return nil, err
	}
	if m.Metadata.Protocol != "rest-json" {
		return nil, fmt.Errorf("protocol %q is not rest-json", m.Metadata.Protocol)
	}
	var pages struct {
		Pagination map[string]rawPaginator `json:"pagination"`
	}
	if err := readJSON(filepath.Join(modelsDir, spec.paginators), &pages); err != nil {
		return nil, err
	}

	supported := map[string]bool{}
	for _, name := range spec.supported {
		if _, ok := m.Operations[name]; !ok {
			return nil, fmt.Errorf("supported operation %s is not in the model", name)
		}
		if supported[name] {
			return nil, fmt.Errorf("supported operation %s is listed twice", name)
		}
		supported[name] = true
	}

	// The closure: supported inputs, outputs and errors, and every error
	// shape of the service.
	var roots []string
	for _, name := range spec.supported {
		op := m.Operations[name]
		if op.Input != nil {
			roots = append(roots, op.Input.Shape)
		}
		if op.Output != nil {
			roots = append(roots, op.Output.Shape)
		}
		for _, e := range op.Errors {
			roots = append(roots, e.Shape)
		}
	}
	for _, name := range sortedKeys(m.Shapes) {
		if exc, ok := m.Shapes[name]["exception"]; ok && string(exc) == "true" {
			roots = append(roots, name)
		}
	}
	shapes := map[string]*shape{}
	for len(roots) > 0 {
		name := roots[len(roots)-1]
		roots = roots[:len(roots)-1]
		if shapes[name] != nil {
			continue
		}
		sh, err := decodeShape(name, m.Shapes[name])
		if err != nil {
			return nil, err
		}
		shapes[name] = sh
		for _, mb := range sh.members {
			roots = append(roots, mb.raw.Shape)
		}
		for _, r := range []*shapeRef{sh.raw.Member, sh.raw.Key, sh.raw.Value} {
			if r != nil {
				roots = append(roots, r.Shape)
			}
		}
	}

	used := map[string]bool{}
	for _, sh := range shapes {
		if sh.raw.Pattern == nil {
			continue
		}
		if sh.raw.Type != "string" {
			return nil, fmt.Errorf("shape %s: pattern on a %s", sh.name, sh.raw.Type)
		}
		eff, err := effectivePattern(spec.name, sh.name, *sh.raw.Pattern, used)
		if err != nil {
			return nil, err
		}
		tr, err := translate(eff)
		if err != nil {
			return nil, fmt.Errorf("shape %s: pattern %q: %w", sh.name, eff, err)
		}
		sh.pattern = tr
	}
	if err := checkOverridesUsed(spec.name, used); err != nil {
		return nil, err
	}

	// Operations.
	for _, name := range spec.supported {
		if err := checkBindings(name, m.Operations[name], shapes); err != nil {
			return nil, err
		}
	}

	var b bytes.Buffer
	fmt.Fprintf(&b, "// Code generated by apimodel/internal/gen from %s and %s. DO NOT EDIT.\n\n", spec.model, spec.paginators)
	b.WriteString("package apimodel\n\n")
	fmt.Fprintf(&b, "var %sModel = &modelDef{\n", spec.name)
	fmt.Fprintf(&b, "name: %q, signingName: %q, endpointPrefix: %q, apiVersion: %q, serviceID: %q,\n",
		spec.name, m.Metadata.SigningName, m.Metadata.EndpointPrefix, m.Metadata.APIVersion, m.Metadata.ServiceID)
	b.WriteString("ops: []opDef{\n")
	for _, name := range sortedKeys(m.Operations) {
		op := m.Operations[name]
		if op.Name != name {
			return nil, fmt.Errorf("operation %s is named %q inside", name, op.Name)
		}
		if err := writeOp(&b, op, supported[name], pages.Pagination[name]); err != nil {
			return nil, fmt.Errorf("operation %s: %w", name, err)
		}
	}
	b.WriteString("},\nshapes: []shapeDef{\n")
	for _, name := range sortedKeys(shapes) {
		if err := writeShape(&b, shapes[name]); err != nil {
			return nil, fmt.Errorf("shape %s: %w", name, err)
		}
	}
	b.WriteString("},\n}\n")
	src, err := format.Source(b.Bytes())
	if err != nil {
		return nil, fmt.Errorf("formatting generated code: %w", err)
	}
	return src, nil
}

func readJSON(path string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func decodeShape(name string, fields map[string]json.RawMessage) (*shape, error) {
	if fields == nil {
		return nil, fmt.Errorf("shape %s is referenced but not defined", name)
	}
	for k := range fields {
		if !shapeKeys[k] {
			return nil, fmt.Errorf("shape %s: trait %q is not supported", name, k)
		}
	}
	sh := &shape{name: name}
	whole, err := json.Marshal(fields)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(whole, &sh.raw); err != nil {
		return nil, fmt.Errorf("shape %s: %w", name, err)
	}
	typ := sh.raw.Type
	switch {
	case typ == "structure" && sh.raw.Document:
		sh.typeName = "TypeDocument"
	case shapeTypes[typ] != "":
		sh.typeName = shapeTypes[typ]
	default:
		return nil, fmt.Errorf("shape %s: type %q is not supported", name, typ)
	}
	if raw, ok := fields["members"]; ok {
		if sh.members, err = orderedMembers(name, raw); err != nil {
			return nil, err
		}
	}
	for _, r := range sh.raw.Required {
		found := false
		for _, mb := range sh.members {
			found = found || mb.name == r
		}
		if !found {
			return nil, fmt.Errorf("shape %s: required member %s does not exist", name, r)
		}
	}
	switch typ {
	case "list":
		if sh.raw.Member == nil {
			return nil, fmt.Errorf("list %s has no member", name)
		}
	case "map":
		if sh.raw.Key == nil || sh.raw.Value == nil {
			return nil, fmt.Errorf("map %s lacks key or value", name)
		}
	}
	if sh.raw.Exception && (sh.raw.Error == nil || sh.raw.Error.HTTPStatusCode == 0) {
		return nil, fmt.Errorf("error shape %s has no HTTP status", name)
	}
	if sh.raw.TimestampFormat != "" && timestampFormats[sh.raw.TimestampFormat] == "" {
		return nil, fmt.Errorf("shape %s: timestamp format %q is not supported", name, sh.raw.TimestampFormat)
	}
	return sh, nil
}

// orderedMembers reads a "members" object keeping the model's order.
func orderedMembers(shapeName string, raw json.RawMessage) ([]member, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, fmt.Errorf("shape %s: members is not an object", shapeName)
	}
	var out []member
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		name := t.(string)
		var fields map[string]json.RawMessage
		if err := dec.Decode(&fields); err != nil {
			return nil, fmt.Errorf("shape %s member %s: %w", shapeName, name, err)
		}
		for k := range fields {
			if !memberKeys[k] {
				return nil, fmt.Errorf("shape %s member %s: trait %q is not supported", shapeName, name, k)
			}
		}
		whole, _ := json.Marshal(fields)
		mb := member{name: name}
		if err := json.Unmarshal(whole, &mb.raw); err != nil {
			return nil, fmt.Errorf("shape %s member %s: %w", shapeName, name, err)
		}
		if mb.raw.Location != "" && locations[mb.raw.Location] == "" {
			return nil, fmt.Errorf("shape %s member %s: location %q is not supported", shapeName, name, mb.raw.Location)
		}
		out = append(out, mb)
	}
	return out, nil
}

// checkBindings refuses HTTP bindings that apimodel.Bind cannot build.
func checkBindings(opName string, op rawOp, shapes map[string]*shape) error {
	if op.Input == nil {
		return nil
	}
	in := shapes[op.Input.Shape]
	labels := map[string]bool{}
	for _, mb := range in.members {
		t := shapes[mb.raw.Shape]
		switch mb.raw.Location {
		case "uri":
			labels[mb.raw.LocationName] = true
			if t.raw.Type == "structure" || t.raw.Type == "list" || t.raw.Type == "map" {
				return fmt.Errorf("operation %s: URI member %s is a %s", opName, mb.name, t.raw.Type)
			}
		case "querystring", "header":
			if t.raw.Type == "structure" {
				return fmt.Errorf("operation %s: member %s in %s is a structure", opName, mb.name, mb.raw.Location)
			}
		case "headers":
			if t.raw.Type != "map" {
				return fmt.Errorf("operation %s: headers member %s is not a map", opName, mb.name)
			}
		}
	}
	for _, l := range templateLabels(op.HTTP.RequestURI) {
		if !labels[l] {
			return fmt.Errorf("operation %s: label {%s} has no input member", opName, l)
		}
		delete(labels, l)
	}
	if len(labels) > 0 {
		return fmt.Errorf("operation %s: URI members %v are not in the path", opName, sortedKeys(labels))
	}
	return nil
}

func templateLabels(uri string) []string {
	var out []string
	path, _, _ := strings.Cut(uri, "?")
	for _, seg := range strings.Split(path, "/") {
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
			out = append(out, strings.TrimSuffix(seg[1:len(seg)-1], "+"))
		}
	}
	return out
}

func writeOp(b *bytes.Buffer, op rawOp, supported bool, pg rawPaginator) error {
	code := 200
	if op.HTTP.ResponseCode != nil {
		code = *op.HTTP.ResponseCode
	}
	if op.HTTP.Method == "" || !strings.HasPrefix(op.HTTP.RequestURI, "/") {
		return errors.New("no HTTP binding")
	}
	fmt.Fprintf(b, "{name: %q, method: %q, uri: %q, code: %d", op.Name, op.HTTP.Method, op.HTTP.RequestURI, code)
	if op.Input != nil {
		fmt.Fprintf(b, ", input: %q", op.Input.Shape)
	}
	if op.Output != nil {
		fmt.Fprintf(b, ", output: %q", op.Output.Shape)
	}
	if len(op.Errors) > 0 {
		names := make([]string, len(op.Errors))
		for i, e := range op.Errors {
			names[i] = e.Shape
		}
		fmt.Fprintf(b, ", errors: %s", stringSlice(names))
	}
	if supported {
		b.WriteString(", supported: true")
		if pg.InputToken != nil {
			in, err := oneName(pg.InputToken)
			if err != nil {
				return fmt.Errorf("paginator input_token: %w", err)
			}
			out, err := oneName(pg.OutputToken)
			if err != nil {
				return fmt.Errorf("paginator output_token: %w", err)
			}
			results, err := names(pg.ResultKey)
			if err != nil {
				return fmt.Errorf("paginator result_key: %w", err)
			}
			fmt.Fprintf(b, ", pager: &pagerDef{input: %q, output: %q", in, out)
			if pg.LimitKey != "" {
				fmt.Fprintf(b, ", limit: %q", pg.LimitKey)
			}
			fmt.Fprintf(b, ", results: %s", stringSlice(results))
			if len(pg.NonAggregateKeys) > 0 {
				fmt.Fprintf(b, ", nonAgg: %s", stringSlice(pg.NonAggregateKeys))
			}
			b.WriteString("}")
		}
	}
	b.WriteString("},\n")
	return nil
}

func oneName(v any) (string, error) {
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("%v is not a single member name", v)
	}
	return s, nil
}

func names(v any) ([]string, error) {
	switch t := v.(type) {
	case string:
		return []string{t}, nil
	case []any:
		out := make([]string, len(t))
		for i, e := range t {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("%v is not a member name", e)
			}
			out[i] = s
		}
		return out, nil
	}
	return nil, fmt.Errorf("%v is not a member name or list", v)
}

func stringSlice(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = strconv.Quote(s)
	}
	return "[]string{" + strings.Join(q, ", ") + "}"
}

func writeShape(b *bytes.Buffer, sh *shape) error {
	r := &sh.raw
	fmt.Fprintf(b, "{name: %q, typ: %s", sh.name, sh.typeName)
	if r.Union {
		b.WriteString(", union: true")
	}
	if r.Sensitive {
		b.WriteString(", sensitive: true")
	}
	switch r.Type {
	case "list":
		fmt.Fprintf(b, ", member: %q", r.Member.Shape)
	case "map":
		fmt.Fprintf(b, ", key: %q, value: %q", r.Key.Shape, r.Value.Shape)
	}
	if err := writeBounds(b, sh); err != nil {
		return err
	}
	if sh.pattern != nil {
		fmt.Fprintf(b, ", pattern: %s, re2: %s", goString(sh.pattern.source), goString(sh.pattern.re2))
		if len(sh.pattern.notPrefixes) > 0 {
			fmt.Fprintf(b, ", notPrefixes: %s", stringSlice(sh.pattern.notPrefixes))
		}
	}
	if len(r.Enum) > 0 {
		if r.Type != "string" {
			return fmt.Errorf("enum on a %s", r.Type)
		}
		fmt.Fprintf(b, ", enum: %s", stringSlice(r.Enum))
	}
	if r.TimestampFormat != "" {
		fmt.Fprintf(b, ", tsFormat: %s", timestampFormats[r.TimestampFormat])
	}
	if r.Exception {
		fault := "FaultClient"
		if !r.Error.SenderFault && r.Error.HTTPStatusCode >= 500 {
			fault = "FaultServer"
		}
		fmt.Fprintf(b, ", exception: true, status: %d, fault: %s", r.Error.HTTPStatusCode, fault)
	}
	if len(sh.members) > 0 {
		required := set(r.Required...)
		b.WriteString(", members: []memberDef{\n")
		for _, mb := range sh.members {
			fmt.Fprintf(b, "{name: %q, target: %q", mb.name, mb.raw.Shape)
			if mb.raw.Location != "" {
				fmt.Fprintf(b, ", loc: %s, locName: %q", locations[mb.raw.Location], mb.raw.LocationName)
			}
			if mb.raw.IdempotencyToken {
				b.WriteString(", idempotencyToken: true")
			}
			if required[mb.name] {
				b.WriteString(", required: true")
			}
			b.WriteString("},\n")
		}
		b.WriteString("}")
	}
	b.WriteString("},\n")
	return nil
}

// writeBounds writes min/max: a length for strings, blobs, lists and maps, a
// value for numbers.
func writeBounds(b *bytes.Buffer, sh *shape) error {
	r := &sh.raw
	if r.Min == nil && r.Max == nil {
		return nil
	}
	switch r.Type {
	case "string", "blob", "list", "map", "integer", "long":
		for _, bound := range []struct {
			name string
			v    *json.Number
		}{{"min", r.Min}, {"max", r.Max}} {
			if bound.v == nil {
				continue
			}
			n, err := integral(*bound.v)
			if err != nil {
				return fmt.Errorf("%s: %w", bound.name, err)
			}
			fmt.Fprintf(b, ", has%s: true, %s: %d", strings.ToUpper(bound.name[:1])+bound.name[1:], bound.name, n)
		}
	case "float", "double":
		for _, bound := range []struct {
			name string
			v    *json.Number
		}{{"Min", r.Min}, {"Max", r.Max}} {
			if bound.v == nil {
				continue
			}
			f, err := strconv.ParseFloat(string(*bound.v), 64)
			if err != nil {
				return err
			}
			fmt.Fprintf(b, ", has%s: true, %sFloat: %s", bound.name, strings.ToLower(bound.name), strconv.FormatFloat(f, 'g', -1, 64))
		}
	default:
		return fmt.Errorf("min/max on a %s", r.Type)
	}
	return nil
}

func integral(n json.Number) (int64, error) {
	if i, err := strconv.ParseInt(string(n), 10, 64); err == nil {
		return i, nil
	}
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil || f != float64(int64(f)) {
		return 0, fmt.Errorf("%s is not an integer", n)
	}
	return int64(f), nil
}

// goString quotes s as a raw string literal when it can, for readable
// patterns.
func goString(s string) string {
	if !strings.ContainsAny(s, "`\r\n") && strconv.CanBackquote(s) {
		return "`" + s + "`"
	}
	return strconv.Quote(s)
}
