package apimodel

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// MaxViolations is the most violations one validation reports; the walk
// stops once it has found that many.
const MaxViolations = 10

// ConstraintKind names the constraint a violation breaks.
type ConstraintKind string

// The constraint kinds. ConstraintType is a value of the wrong JSON type
// (or an unparsable number, timestamp or blob); ConstraintSyntax is a body
// that is not a JSON object.
const (
	ConstraintRequired  ConstraintKind = "required"
	ConstraintMinLength ConstraintKind = "minLength" // strings, blobs, lists and maps
	ConstraintMaxLength ConstraintKind = "maxLength"
	ConstraintMinValue  ConstraintKind = "minValue" // numbers
	ConstraintMaxValue  ConstraintKind = "maxValue"
	ConstraintPattern   ConstraintKind = "pattern"
	ConstraintEnum      ConstraintKind = "enum"
	ConstraintUnion     ConstraintKind = "union"
	ConstraintType      ConstraintKind = "type"
	ConstraintSyntax    ConstraintKind = "syntax"
)

// Violation is one broken constraint.
type Violation struct {
	// Path locates the value the way AWS writes it: member names with a
	// lower-case first letter joined by dots, list elements as "N.member"
	// (N from 1), map entries by their key; "" for the whole document.
	Path string
	// Constraint is the kind of the broken constraint. For a list of
	// scalars or a map, whose element violations are reported together,
	// it is the kind of the first of them.
	Constraint ConstraintKind
	// Message is the text after "failed to satisfy constraint: ", such as
	// "Member must have length less than or equal to 100".
	Message string
	// Value is the offending value as quoted in the message ('abc' or
	// null); it is empty for sensitive shapes and for structures.
	Value string
}

// String formats the violation as AWS does: "Value 'abc' at 'instanceId'
// failed to satisfy constraint: Member must ...". A violation without a path
// is just its message.
func (v Violation) String() string {
	if v.Path == "" {
		return v.Message
	}
	var b strings.Builder
	b.Grow(len(v.Value) + len(v.Path) + len(v.Message) + 48)
	b.WriteString("Value ")
	if v.Value != "" {
		b.WriteString(v.Value)
		b.WriteByte(' ')
	}
	b.WriteString("at '")
	b.WriteString(v.Path)
	b.WriteString("' failed to satisfy constraint: ")
	b.WriteString(v.Message)
	return b.String()
}

// ValidationError reports the violations of an input, in the order of the
// model's members (list elements by index, map entries by key); at most
// MaxViolations of them.
type ValidationError struct {
	Violations []Violation
}

// Error returns the AWS-style message: "1 validation error detected: ..."
// or "N validation errors detected: ...; ...".
func (e *ValidationError) Error() string {
	if len(e.Violations) == 1 && e.Violations[0].Path == "" {
		return e.Violations[0].Message
	}
	var b strings.Builder
	b.WriteString(strconv.Itoa(len(e.Violations)))
	if len(e.Violations) == 1 {
		b.WriteString(" validation error detected: ")
	} else {
		b.WriteString(" validation errors detected: ")
	}
	for i, v := range e.Violations {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(v.String())
	}
	return b.String()
}

// ErrUnknownShape is returned (wrapped) by Validate for a shape name the
// service does not carry.
var ErrUnknownShape = errors.New("apimodel: unknown shape")

// Validate checks a decoded JSON document against the named shape. The
// document is what encoding/json produces with UseNumber (map[string]any,
// []any, string, json.Number, bool, nil); float64 and Go integers are
// accepted for numbers too. Members the shape does not know are ignored, a
// null member counts as absent. The result is nil or a *ValidationError.
func (s *Service) Validate(shape string, doc any) error {
	sh, ok := s.Shapes[shape]
	if !ok {
		return &unknownShapeError{service: s.Name, shape: shape}
	}
	return sh.Validate(doc)
}

type unknownShapeError struct{ service, shape string }

func (e *unknownShapeError) Error() string {
	return ErrUnknownShape.Error() + " " + e.shape + " in service " + e.service
}

func (e *unknownShapeError) Unwrap() error { return ErrUnknownShape }

// Validate checks a decoded JSON document against the shape; see
// Service.Validate.
func (s *Shape) Validate(doc any) error {
	var v validator
	v.value(s, doc, false)
	if len(v.out) == 0 {
		return nil
	}
	return &ValidationError{Violations: v.out}
}

type pathSeg struct {
	name  string
	index int // > 0 for a list element
}

// validator walks one document. The path to the current value is kept in
// a fixed array (deeper levels spill into deep) so that a valid document
// costs no allocation.
type validator struct {
	out   []Violation
	depth int
	path  [16]pathSeg
	deep  []pathSeg
}

func (v *validator) push(sg pathSeg) {
	if v.depth < len(v.path) {
		v.path[v.depth] = sg
	} else {
		v.deep = append(v.deep[:v.depth-len(v.path)], sg)
	}
	v.depth++
}

func (v *validator) pop() { v.depth-- }

func (v *validator) seg(i int) pathSeg {
	if i < len(v.path) {
		return v.path[i]
	}
	return v.deep[i-len(v.path)]
}

// issue is a violation of a scalar before it is placed at a path.
type issue struct {
	kind ConstraintKind
	msg  string
}

func (v *validator) full() bool { return len(v.out) >= MaxViolations }

func (v *validator) pathString() string {
	var b strings.Builder
	for i := range v.depth {
		sg := v.seg(i)
		if i > 0 {
			b.WriteByte('.')
		}
		if sg.index > 0 {
			b.WriteString(strconv.Itoa(sg.index))
			b.WriteString(".member")
		} else {
			b.WriteString(sg.name)
		}
	}
	return b.String()
}

// add records a violation at the current path. The value x, of shape sh
// (nil when x does not have the shape's type), is quoted unless omit is set.
func (v *validator) add(sh *Shape, kind ConstraintKind, msg string, x any, omit bool) {
	if v.full() {
		return
	}
	val := ""
	if !omit {
		val = quoteValue(sh, x)
	}
	v.out = append(v.out, Violation{Path: v.pathString(), Constraint: kind, Message: msg, Value: val})
}

func (v *validator) addNull() {
	if v.full() {
		return
	}
	v.out = append(v.out, Violation{Path: v.pathString(), Constraint: ConstraintRequired, Message: msgNotNull, Value: "null"})
}

const msgNotNull = "Member must not be null"

func (v *validator) value(sh *Shape, x any, sensitive bool) {
	sensitive = sensitive || sh.Sensitive
	switch sh.Type {
	case TypeStructure:
		v.structure(sh, x, sensitive)
	case TypeList:
		v.list(sh, x, sensitive)
	case TypeMap:
		v.mapValue(sh, x, sensitive)
	case TypeDocument:
	default:
		var buf [3]issue
		for _, is := range checkScalar(sh, x, buf[:0]) {
			if is.kind == ConstraintType {
				v.add(nil, is.kind, is.msg, x, sensitive || !isScalarValue(x))
			} else {
				v.add(sh, is.kind, is.msg, x, sensitive)
			}
		}
	}
}

func (v *validator) structure(sh *Shape, x any, sensitive bool) {
	obj, ok := x.(map[string]any)
	if !ok {
		v.add(nil, ConstraintType, "Member must be a structure", x, sensitive || !isScalarValue(x))
		return
	}
	if sh.Union {
		set := 0
		for _, m := range sh.Members {
			if obj[m.Name] != nil {
				set++
			}
		}
		if set != 1 {
			msg := "Member must have exactly one member set"
			if set > 1 {
				msg += ", but has " + strconv.Itoa(set)
			}
			v.add(sh, ConstraintUnion, msg, nil, true)
		}
	}
	for _, m := range sh.Members {
		if v.full() {
			return
		}
		val := obj[m.Name]
		if val == nil {
			if m.Required {
				v.push(pathSeg{name: m.pathName})
				v.addNull()
				v.pop()
			}
			continue
		}
		v.push(pathSeg{name: m.pathName})
		v.value(m.Target, val, sensitive)
		v.pop()
	}
}

func (v *validator) sizeIssues(sh *Shape, n int, x any, sensitive bool) {
	if sh.HasMin && int64(n) < sh.Min {
		v.add(sh, ConstraintMinLength, minLengthMsg(sh.Min), x, sensitive)
	}
	if sh.HasMax && int64(n) > sh.Max {
		v.add(sh, ConstraintMaxLength, maxLengthMsg(sh.Max), x, sensitive)
	}
}

func (v *validator) list(sh *Shape, x any, sensitive bool) {
	arr, ok := x.([]any)
	if !ok {
		v.add(nil, ConstraintType, "Member must be a list", x, sensitive || !isScalarValue(x))
		return
	}
	v.sizeIssues(sh, len(arr), x, sensitive)
	elem := sh.Member
	if sh.scalarElems {
		var buf [4]issue
		issues := buf[:0]
		for _, e := range arr {
			if e == nil {
				issues = addUnique(issues, issue{ConstraintRequired, msgNotNull})
				continue
			}
			var eb [3]issue
			for _, is := range checkScalar(elem, e, eb[:0]) {
				issues = addUnique(issues, is)
			}
		}
		if len(issues) > 0 {
			v.add(sh, issues[0].kind, joinIssues("Member must satisfy constraint: ", issues), x, sensitive || elem.Sensitive)
		}
		return
	}
	for i, e := range arr {
		if v.full() {
			return
		}
		v.push(pathSeg{index: i + 1})
		if e == nil {
			v.addNull()
		} else {
			v.value(elem, e, sensitive)
		}
		v.pop()
	}
}

func (v *validator) mapValue(sh *Shape, x any, sensitive bool) {
	obj, ok := x.(map[string]any)
	if !ok {
		v.add(nil, ConstraintType, "Member must be a map", x, sensitive || !isScalarValue(x))
		return
	}
	v.sizeIssues(sh, len(obj), x, sensitive)
	if len(obj) == 0 {
		return
	}
	// A first pass in map order finds out whether anything is wrong
	// without sorting; violations are then reported in key order.
	if sh.scalarElems && !mapHasIssues(sh, obj) {
		return
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var kb, vb [4]issue
	keyIssues, valIssues := kb[:0], vb[:0]
	for _, k := range keys {
		var eb [3]issue
		for _, is := range checkScalar(sh.Key, k, eb[:0]) {
			keyIssues = addUnique(keyIssues, is)
		}
		if sh.scalarElems {
			e := obj[k]
			if e == nil {
				valIssues = addUnique(valIssues, issue{ConstraintRequired, msgNotNull})
				continue
			}
			for _, is := range checkScalar(sh.Value, e, eb[:0]) {
				valIssues = addUnique(valIssues, is)
			}
		}
	}
	if len(keyIssues) > 0 {
		v.add(sh, keyIssues[0].kind, joinIssues("Map keys must satisfy constraint: ", keyIssues), x, sensitive || sh.Key.Sensitive)
	}
	if len(valIssues) > 0 {
		v.add(sh, valIssues[0].kind, joinIssues("Map value must satisfy constraint: ", valIssues), x, sensitive || sh.Value.Sensitive)
	}
	if sh.scalarElems {
		return
	}
	for _, k := range keys {
		if v.full() {
			return
		}
		v.push(pathSeg{name: k})
		if e := obj[k]; e == nil {
			v.addNull()
		} else {
			v.value(sh.Value, e, sensitive)
		}
		v.pop()
	}
}

func mapHasIssues(sh *Shape, obj map[string]any) bool {
	var buf [3]issue
	for k, e := range obj {
		if e == nil || len(checkScalar(sh.Key, k, buf[:0])) > 0 || len(checkScalar(sh.Value, e, buf[:0])) > 0 {
			return true
		}
	}
	return false
}

func addUnique(issues []issue, is issue) []issue {
	for _, o := range issues {
		if o.msg == is.msg {
			return issues
		}
	}
	return append(issues, is)
}

func joinIssues(prefix string, issues []issue) string {
	var b strings.Builder
	b.WriteString(prefix)
	b.WriteByte('[')
	for i, is := range issues {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(is.msg)
	}
	b.WriteByte(']')
	return b.String()
}

func minLengthMsg(n int64) string {
	return "Member must have length greater than or equal to " + strconv.FormatInt(n, 10)
}

func maxLengthMsg(n int64) string {
	return "Member must have length less than or equal to " + strconv.FormatInt(n, 10)
}

// checkScalar appends the violations of a string, number, boolean,
// timestamp or blob value to dst. It allocates only when it finds one.
func checkScalar(sh *Shape, x any, dst []issue) []issue {
	switch sh.Type {
	case TypeString:
		s, ok := x.(string)
		if !ok {
			return append(dst, issue{ConstraintType, "Member must be a string"})
		}
		return checkString(sh, s, dst)
	case TypeInteger, TypeLong:
		n, ok := toInt(x, sh.Type == TypeInteger)
		if !ok {
			if sh.Type == TypeInteger {
				return append(dst, issue{ConstraintType, "Member must be a 32-bit integer"})
			}
			return append(dst, issue{ConstraintType, "Member must be a 64-bit integer"})
		}
		if sh.HasMin && n < sh.Min {
			dst = append(dst, issue{ConstraintMinValue, "Member must have value greater than or equal to " + strconv.FormatInt(sh.Min, 10)})
		}
		if sh.HasMax && n > sh.Max {
			dst = append(dst, issue{ConstraintMaxValue, "Member must have value less than or equal to " + strconv.FormatInt(sh.Max, 10)})
		}
		return dst
	case TypeFloat, TypeDouble:
		f, ok := toFloat(x)
		if !ok {
			return append(dst, issue{ConstraintType, "Member must be a number"})
		}
		if sh.HasMin && f < sh.MinFloat {
			dst = append(dst, issue{ConstraintMinValue, "Member must have value greater than or equal to " + formatFloat(sh.MinFloat)})
		}
		if sh.HasMax && f > sh.MaxFloat {
			dst = append(dst, issue{ConstraintMaxValue, "Member must have value less than or equal to " + formatFloat(sh.MaxFloat)})
		}
		return dst
	case TypeBoolean:
		if _, ok := x.(bool); !ok {
			return append(dst, issue{ConstraintType, "Member must be a boolean"})
		}
		return dst
	case TypeTimestamp:
		if !validTimestamp(sh.TimestampFormat, x) {
			switch sh.TimestampFormat {
			case TimestampISO8601:
				return append(dst, issue{ConstraintType, "Member must be an ISO 8601 date-time string"})
			case TimestampHTTP:
				return append(dst, issue{ConstraintType, "Member must be an HTTP date string"})
			}
			return append(dst, issue{ConstraintType, "Member must be a number of seconds since the epoch"})
		}
		return dst
	case TypeBlob:
		s, ok := x.(string)
		if !ok {
			return append(dst, issue{ConstraintType, "Member must be a base64-encoded string"})
		}
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return append(dst, issue{ConstraintType, "Member must be a base64-encoded string"})
		}
		if sh.HasMin && int64(len(b)) < sh.Min {
			dst = append(dst, issue{ConstraintMinLength, minLengthMsg(sh.Min)})
		}
		if sh.HasMax && int64(len(b)) > sh.Max {
			dst = append(dst, issue{ConstraintMaxLength, maxLengthMsg(sh.Max)})
		}
		return dst
	case TypeStructure:
		return append(dst, issue{ConstraintType, "Member must be a structure"})
	case TypeList:
		return append(dst, issue{ConstraintType, "Member must be a list"})
	case TypeMap:
		return append(dst, issue{ConstraintType, "Member must be a map"})
	}
	return dst
}

func checkString(sh *Shape, s string, dst []issue) []issue {
	if sh.HasMin || sh.HasMax {
		// A code point takes 1 to 4 bytes: count only when the byte
		// length does not settle it.
		n := int64(-1)
		count := func() int64 {
			if n < 0 {
				n = int64(utf8.RuneCountInString(s))
			}
			return n
		}
		if sh.HasMin && int64(len(s)) < 4*sh.Min && count() < sh.Min {
			dst = append(dst, issue{ConstraintMinLength, minLengthMsg(sh.Min)})
		}
		if sh.HasMax && int64(len(s)) > sh.Max && count() > sh.Max {
			dst = append(dst, issue{ConstraintMaxLength, maxLengthMsg(sh.Max)})
		}
	}
	if sh.Pattern != nil && !sh.Pattern.MatchString(s) {
		dst = append(dst, issue{ConstraintPattern, "Member must satisfy regular expression pattern: " + sh.Pattern.Source})
	}
	if sh.Enum != nil && !contains(sh.Enum, s) {
		dst = append(dst, issue{ConstraintEnum, "Member must satisfy enum value set: [" + strings.Join(sh.Enum, ", ") + "]"})
	}
	return dst
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

func toInt(x any, is32 bool) (int64, bool) {
	bits := 64
	if is32 {
		bits = 32
	}
	switch n := x.(type) {
	case json.Number:
		i, err := strconv.ParseInt(string(n), 10, bits)
		return i, err == nil
	case float64:
		if n != math.Trunc(n) || n < math.MinInt64 || n >= math.MaxInt64 {
			return 0, false
		}
		i := int64(n)
		return i, !is32 || i == int64(int32(i))
	case int:
		return int64(n), !is32 || int64(n) == int64(int32(n))
	case int64:
		return n, !is32 || n == int64(int32(n))
	case int32:
		return int64(n), true
	}
	return 0, false
}

func toFloat(x any) (float64, bool) {
	switch n := x.(type) {
	case json.Number:
		f, err := strconv.ParseFloat(string(n), 64)
		return f, err == nil
	case float64:
		return n, true
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	case string:
		// restJson1 writes the special values as strings.
		switch n {
		case "NaN":
			return math.NaN(), true
		case "Infinity":
			return math.Inf(1), true
		case "-Infinity":
			return math.Inf(-1), true
		}
	}
	return 0, false
}

func formatFloat(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

// validTimestamp checks a timestamp as it appears in a JSON body.
func validTimestamp(format TimestampFormat, x any) bool {
	switch format {
	case TimestampISO8601:
		s, ok := x.(string)
		if !ok {
			return false
		}
		_, err := time.Parse(time.RFC3339Nano, s)
		return err == nil
	case TimestampHTTP:
		s, ok := x.(string)
		if !ok {
			return false
		}
		_, err := http.ParseTime(s)
		return err == nil
	}
	f, ok := toFloat(x)
	if _, isString := x.(string); isString {
		return false
	}
	return ok && !math.IsNaN(f) && !math.IsInf(f, 0)
}

func isScalarValue(x any) bool {
	switch x.(type) {
	case map[string]any, []any:
		return false
	}
	return true
}

// redacted stands for the value of a sensitive shape inside a larger value.
const redacted = "*** Sensitive Data Redacted ***"

// quoteValue renders a value the way AWS quotes it in messages: strings
// and numbers between single quotes, lists as [a, b], maps and structures
// as {k=v} with sorted keys, a missing value as null. Values of sensitive
// shapes inside it are redacted; sh may be nil.
func quoteValue(sh *Shape, x any) string {
	if x == nil {
		return "null"
	}
	var b strings.Builder
	b.WriteByte('\'')
	renderValue(&b, sh, x)
	b.WriteByte('\'')
	return b.String()
}

func renderValue(b *strings.Builder, sh *Shape, x any) {
	if sh != nil && sh.Sensitive && x != nil {
		b.WriteString(redacted)
		return
	}
	switch t := x.(type) {
	case nil:
		b.WriteString("null")
	case string:
		b.WriteString(t)
	case json.Number:
		b.WriteString(string(t))
	case bool:
		b.WriteString(strconv.FormatBool(t))
	case float64:
		b.WriteString(formatFloat(t))
	case int:
		b.WriteString(strconv.Itoa(t))
	case int64:
		b.WriteString(strconv.FormatInt(t, 10))
	case []any:
		var elem *Shape
		if sh != nil && sh.Type == TypeList {
			elem = sh.Member
		}
		b.WriteByte('[')
		for i, e := range t {
			if i > 0 {
				b.WriteString(", ")
			}
			renderValue(b, elem, e)
		}
		b.WriteByte(']')
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(k)
			b.WriteByte('=')
			renderValue(b, entryShape(sh, k), t[k])
		}
		b.WriteByte('}')
	default:
		b.WriteString("?")
	}
}

// entryShape returns the shape of the entry k of a map or structure value
// of shape sh, or nil.
func entryShape(sh *Shape, k string) *Shape {
	switch {
	case sh == nil:
		return nil
	case sh.Type == TypeMap:
		return sh.Value
	case sh.Type == TypeStructure:
		if m, ok := sh.byName[k]; ok {
			return m.Target
		}
	}
	return nil
}
