package apimodel

import (
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
)

// ShapeType is the kind of value a shape describes.
type ShapeType uint8

// The shape types of the AWS JSON models. A union is a TypeStructure with
// Shape.Union set.
const (
	TypeStructure ShapeType = iota + 1
	TypeList
	TypeMap
	TypeString
	TypeInteger
	TypeLong
	TypeBoolean
	TypeTimestamp
	TypeBlob
	TypeDouble
	TypeFloat
	TypeDocument
)

var shapeTypeNames = [...]string{
	TypeStructure: "structure",
	TypeList:      "list",
	TypeMap:       "map",
	TypeString:    "string",
	TypeInteger:   "integer",
	TypeLong:      "long",
	TypeBoolean:   "boolean",
	TypeTimestamp: "timestamp",
	TypeBlob:      "blob",
	TypeDouble:    "double",
	TypeFloat:     "float",
	TypeDocument:  "document",
}

// String returns the model's name of the type ("structure", "string", ...).
func (t ShapeType) String() string {
	if int(t) < len(shapeTypeNames) && shapeTypeNames[t] != "" {
		return shapeTypeNames[t]
	}
	return fmt.Sprintf("ShapeType(%d)", uint8(t))
}

// Location is where an input member is bound in the HTTP request.
type Location uint8

// The member locations of restJson1. LocationBody is the zero value: the
// member is a property of the JSON body.
const (
	LocationBody    Location = iota
	LocationURI              // a {label} of the path
	LocationQuery            // a query-string parameter (or all of them, for a map)
	LocationHeader           // one header
	LocationHeaders          // all headers with the prefix LocationName (a map)
)

// String returns the model's name of the location ("" for the body).
func (l Location) String() string {
	switch l {
	case LocationURI:
		return "uri"
	case LocationQuery:
		return "querystring"
	case LocationHeader:
		return "header"
	case LocationHeaders:
		return "headers"
	}
	return ""
}

// TimestampFormat is how a timestamp is written on the wire.
type TimestampFormat string

// The timestamp formats of the models. The empty format means the protocol
// default: epoch seconds in a JSON body, ISO 8601 in a query string and an
// HTTP date in a header.
const (
	TimestampDefault TimestampFormat = ""
	TimestampISO8601 TimestampFormat = "iso8601"
	TimestampEpoch   TimestampFormat = "unixTimestamp"
	TimestampHTTP    TimestampFormat = "rfc822"
)

// Fault tells who is to blame for an error shape.
type Fault string

// The two faults. The models mark client errors with senderFault or a 4xx
// status; the rest are server faults.
const (
	FaultClient Fault = "client"
	FaultServer Fault = "server"
)

// Service is one AWS API: its operations, its shapes and a router. A Service
// returned by Connect or QConnect is shared and must not be modified.
type Service struct {
	Name           string // "connect" or "qconnect"
	SigningName    string // SigV4 service name: "connect" or "wisdom"
	EndpointPrefix string
	APIVersion     string
	ServiceID      string
	// Ops holds every operation of the API, supported or not, by name.
	Ops map[string]*Operation
	// Shapes holds the shapes of the supported operations (the transitive
	// closure of their inputs and outputs) and every error shape, by name.
	Shapes map[string]*Shape

	ops    []*Operation // sorted by name
	router *routeNode
}

// Operation is one API operation and its HTTP binding.
type Operation struct {
	Name string
	// Method is the HTTP method, e.g. "PUT".
	Method string
	// RequestURI is the model's requestUri, e.g. "/contacts/{InstanceId}/{ContactId}".
	RequestURI string
	// PathTemplate is RequestURI without its fixed query part.
	PathTemplate string
	// Query holds the fixed query part of RequestURI, if any (nil otherwise).
	Query map[string]string
	// SuccessCode is the HTTP status of a successful response.
	SuccessCode int
	// Input and Output are shape names ("" when the operation has none).
	Input, Output string
	// Errors lists the modeled error shape names in model order.
	Errors []string
	// Supported tells whether connectmail implements the operation. The
	// shapes of unsupported operations are not in Service.Shapes.
	Supported bool
	// Paginator is set for supported operations that page.
	Paginator *Paginator

	validationShape string
	segs            []routeSeg
}

// ValidationShape returns the name of the error shape the service answers
// with when the input of o is invalid: for Connect InvalidRequestException
// if the operation models it, else InvalidParameterException; for Q in
// Connect ValidationException.
func (o *Operation) ValidationShape() string { return o.validationShape }

// Paginator describes how a list operation pages. The names are model
// member names of the input and output shapes.
type Paginator struct {
	InputToken       string
	OutputToken      string
	LimitKey         string // "" when the operation takes no page size
	ResultKeys       []string
	NonAggregateKeys []string
}

// Shape is one shape of the model with its constraints.
type Shape struct {
	Name string
	Type ShapeType
	// Union is set for structures of which exactly one member must be set.
	Union bool
	// Members are the members of a structure or union, in model order.
	Members []*Member
	// Member is the element shape of a list.
	Member *Shape
	// Key and Value are the key and value shapes of a map.
	Key, Value *Shape

	// HasMin and HasMax tell whether Min and Max (or MinFloat and MaxFloat)
	// apply. For strings they bound the length in Unicode code points, for
	// blobs the length in bytes, for lists and maps the number of entries,
	// for integers and longs the value.
	HasMin, HasMax bool
	Min, Max       int64
	// MinFloat and MaxFloat bound the value of a float or double.
	MinFloat, MaxFloat float64

	// Pattern constrains a string, nil when unconstrained.
	Pattern *Pattern
	// Enum lists the allowed values of a string, nil when unconstrained.
	Enum []string
	// Sensitive values are never echoed in error messages.
	Sensitive bool
	// TimestampFormat is the shape's own format (TimestampDefault if none).
	TimestampFormat TimestampFormat

	// Exception is set for error shapes; HTTPStatus and Fault describe them.
	Exception  bool
	HTTPStatus int
	Fault      Fault

	byName map[string]*Member
	// scalarElems is set for lists and maps whose elements are not
	// structures, lists or maps: their violations are reported together.
	scalarElems bool
}

// MemberByName returns the member of a structure with the given model name.
func (s *Shape) MemberByName(name string) (*Member, bool) {
	m, ok := s.byName[name]
	return m, ok
}

// Member is one member of a structure.
type Member struct {
	// Name is the model member name, which is also the JSON property name.
	Name string
	// Target is the member's shape.
	Target *Shape
	// Location is where the member is bound in a request; LocationName is
	// the label, query parameter or header name (or prefix) there.
	Location     Location
	LocationName string
	// IdempotencyToken members are filled with a UUID by the SDKs.
	IdempotencyToken bool
	// Required members must be present and not null.
	Required bool

	// pathName is the member name as AWS writes it in validation messages
	// (first letter lower-cased).
	pathName string
}

// Pattern is a string pattern of the model in the form that is enforced.
type Pattern struct {
	// Source is the ECMA-262 pattern (Smithy @pattern), with the anchors
	// of the Smithy model; it is quoted in validation messages.
	Source string
	// NotPrefixes lists prefixes a value must not start with; they come
	// from a leading negative lookahead such as ^(?!aws:).
	NotPrefixes []string
	// RE2 is the rest of Source translated to Go's regexp syntax, with
	// ECMA-262 meanings of ".", \s and \S.
	RE2 string

	re  *regexp.Regexp
	seq *seqMatcher // a faster equivalent of re, when the pattern allows
}

// MatchString tells whether s satisfies the pattern. Like ECMA-262's
// RegExp.test, the match is a search: only the anchors in the pattern tie it
// to the ends of s.
func (p *Pattern) MatchString(s string) bool {
	for _, pre := range p.NotPrefixes {
		if strings.HasPrefix(s, pre) {
			return false
		}
	}
	if p.seq != nil {
		return p.seq.match(s)
	}
	return p.re.MatchString(s)
}

// Operations returns every operation of the service, sorted by name.
func (s *Service) Operations() []*Operation { return s.ops }

// The generated tables (zz_*.go) are written in these unexported types;
// build turns them into a Service.

type modelDef struct {
	name, signingName, endpointPrefix, apiVersion, serviceID string
	ops                                                      []opDef
	shapes                                                   []shapeDef
}

type opDef struct {
	name, method, uri string
	code              int
	input, output     string
	errors            []string
	supported         bool
	pager             *pagerDef
}

type pagerDef struct {
	input, output, limit string
	results, nonAgg      []string
}

type shapeDef struct {
	name               string
	typ                ShapeType
	union              bool
	members            []memberDef
	member, key, value string
	hasMin, hasMax     bool
	min, max           int64
	minFloat, maxFloat float64
	pattern, re2       string
	notPrefixes        []string
	enum               []string
	sensitive          bool
	tsFormat           TimestampFormat
	exception          bool
	status             int
	fault              Fault
}

type memberDef struct {
	name, target     string
	loc              Location
	locName          string
	idempotencyToken bool
	required         bool
}

var (
	connectService  = sync.OnceValue(func() *Service { return mustBuild(connectModel) })
	qconnectService = sync.OnceValue(func() *Service { return mustBuild(qconnectModel) })
)

// Connect returns the Amazon Connect API (2017-08-08). The first call builds
// the tables and compiles the patterns; later calls return the same value.
func Connect() *Service { return connectService() }

// QConnect returns the Amazon Q in Connect API (2020-10-19), signing name
// "wisdom". The first call builds the tables; later calls return the same
// value.
func QConnect() *Service { return qconnectService() }

// mustBuild panics on an inconsistent generated table: that is a bug of the
// generator, caught by the package's tests.
func mustBuild(d *modelDef) *Service {
	s, err := build(d)
	if err != nil {
		panic("apimodel: " + err.Error())
	}
	return s
}

func build(d *modelDef) (*Service, error) {
	s := &Service{
		Name:           d.name,
		SigningName:    d.signingName,
		EndpointPrefix: d.endpointPrefix,
		APIVersion:     d.apiVersion,
		ServiceID:      d.serviceID,
		Ops:            make(map[string]*Operation, len(d.ops)),
		Shapes:         make(map[string]*Shape, len(d.shapes)),
	}
	shapes := make([]Shape, len(d.shapes))
	for i := range d.shapes {
		sd := &d.shapes[i]
		sh := &shapes[i]
		*sh = Shape{
			Name: sd.name, Type: sd.typ, Union: sd.union,
			HasMin: sd.hasMin, HasMax: sd.hasMax, Min: sd.min, Max: sd.max,
			MinFloat: sd.minFloat, MaxFloat: sd.maxFloat,
			Enum: sd.enum, Sensitive: sd.sensitive, TimestampFormat: sd.tsFormat,
			Exception: sd.exception, HTTPStatus: sd.status, Fault: sd.fault,
		}
		if sd.re2 != "" {
			re, err := regexp.Compile(sd.re2)
			if err != nil {
				return nil, fmt.Errorf("shape %s: %v", sd.name, err)
			}
			sh.Pattern = &Pattern{Source: sd.pattern, NotPrefixes: sd.notPrefixes, RE2: sd.re2, re: re, seq: newSeqMatcher(sd.re2)}
		}
		s.Shapes[sd.name] = sh
	}
	lookup := func(owner, name string) (*Shape, error) {
		t, ok := s.Shapes[name]
		if !ok {
			return nil, fmt.Errorf("shape %s refers to unknown shape %s", owner, name)
		}
		return t, nil
	}
	var err error
	for i := range d.shapes {
		sd := &d.shapes[i]
		sh := &shapes[i]
		switch sd.typ {
		case TypeStructure:
			sh.Members = make([]*Member, len(sd.members))
			sh.byName = make(map[string]*Member, len(sd.members))
			ms := make([]Member, len(sd.members))
			for j, md := range sd.members {
				m := &ms[j]
				*m = Member{
					Name: md.name, Location: md.loc, LocationName: md.locName,
					IdempotencyToken: md.idempotencyToken, Required: md.required,
					pathName: lowerFirst(md.name),
				}
				if m.Target, err = lookup(sd.name, md.target); err != nil {
					return nil, err
				}
				sh.Members[j] = m
				sh.byName[md.name] = m
			}
		case TypeList:
			if sh.Member, err = lookup(sd.name, sd.member); err != nil {
				return nil, err
			}
			sh.scalarElems = isScalar(sh.Member.Type)
		case TypeMap:
			if sh.Key, err = lookup(sd.name, sd.key); err != nil {
				return nil, err
			}
			if sh.Value, err = lookup(sd.name, sd.value); err != nil {
				return nil, err
			}
			sh.scalarElems = isScalar(sh.Value.Type)
		}
	}

	s.ops = make([]*Operation, len(d.ops))
	for i := range d.ops {
		od := &d.ops[i]
		op := &Operation{
			Name: od.name, Method: od.method, RequestURI: od.uri, PathTemplate: od.uri,
			SuccessCode: od.code, Input: od.input, Output: od.output,
			Errors: od.errors, Supported: od.supported,
		}
		if path, query, ok := strings.Cut(od.uri, "?"); ok {
			op.PathTemplate = path
			op.Query = make(map[string]string)
			for _, kv := range strings.Split(query, "&") {
				if kv == "" {
					continue
				}
				k, v, _ := strings.Cut(kv, "=")
				op.Query[k] = v
			}
		}
		if p := od.pager; p != nil {
			op.Paginator = &Paginator{InputToken: p.input, OutputToken: p.output, LimitKey: p.limit,
				ResultKeys: p.results, NonAggregateKeys: p.nonAgg}
		}
		op.validationShape = validationShapeOf(d.name, od.errors)
		if op.segs, err = parseTemplate(op.PathTemplate); err != nil {
			return nil, fmt.Errorf("operation %s: %v", od.name, err)
		}
		if od.supported {
			for _, n := range []string{od.input, od.output} {
				if n == "" {
					continue
				}
				if _, ok := s.Shapes[n]; !ok {
					return nil, fmt.Errorf("supported operation %s: shape %s missing", od.name, n)
				}
			}
		}
		for _, e := range od.errors {
			if _, ok := s.Shapes[e]; !ok {
				return nil, fmt.Errorf("operation %s: error shape %s missing", od.name, e)
			}
		}
		s.Ops[od.name] = op
		s.ops[i] = op
	}
	sort.Slice(s.ops, func(i, j int) bool { return s.ops[i].Name < s.ops[j].Name })
	if s.router, err = newRouter(s.ops); err != nil {
		return nil, err
	}
	return s, nil
}

func validationShapeOf(service string, errs []string) string {
	if service == "qconnect" {
		return "ValidationException"
	}
	for _, e := range errs {
		if e == "InvalidRequestException" {
			return e
		}
	}
	return "InvalidParameterException"
}

func isScalar(t ShapeType) bool {
	return t != TypeStructure && t != TypeList && t != TypeMap && t != TypeDocument
}

func lowerFirst(s string) string {
	if s == "" || s[0] < 'A' || s[0] > 'Z' {
		return s
	}
	return string(s[0]+('a'-'A')) + s[1:]
}

// unescapeLabel percent-decodes one path segment.
func unescapeLabel(seg string) (string, bool) {
	if !strings.Contains(seg, "%") {
		return seg, true
	}
	v, err := url.PathUnescape(seg)
	return v, err == nil
}
