package awsapi

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/connectmail/connectmail/apimodel"
	"github.com/connectmail/connectmail/fault"
)

// A request body is parsed once: apimodel binds it, with the URI labels, the
// query string and the headers, into the input document (maps, slices,
// strings, json.Number, bool), Validate checks that against the model, and
// an inputDecoder copies the validated document into the operation's wire
// input struct without encoding or parsing JSON again.
//
// The decoder of a wire type is built once, when its handler is made, and
// checks the type against the model: every field must name a member of the
// shape (by its json name) and have a Go type that can hold the member's
// values. A mismatch is a programming error and panics, so that any test
// that builds the services finds it.

// handle makes the Handler of op from a function of its decoded wire input.
// Fields of In tagged json:"-" are left for fn to fill from the call.
func handle[In any](model *apimodel.Service, op string, fn func(ctx context.Context, c *Call, in *In) (any, error)) Handler {
	dec := newInputDecoder(model, op, reflect.TypeFor[In]())
	return func(ctx context.Context, c *Call) (any, error) {
		in := new(In)
		if err := dec.decode(c.Doc, in); err != nil {
			return nil, err
		}
		return fn(ctx, c, in)
	}
}

// none answers an operation without output: an empty object, or the error.
func none(err error) (any, error) { return nil, err }

// inputDecoder copies validated input documents of one operation into its
// wire input type.
type inputDecoder struct {
	dec *valueDecoder
}

// newInputDecoder returns the decoder of op's input into values of type t
// (a struct), panicking when t does not fit the operation's input shape.
func newInputDecoder(model *apimodel.Service, op string, t reflect.Type) *inputDecoder {
	o, ok := model.Ops[op]
	if !ok {
		panic(fmt.Sprintf("awsapi: %s has no operation %s", model.Name, op))
	}
	sh, ok := model.Shapes[o.Input]
	if !ok {
		panic(fmt.Sprintf("awsapi: operation %s.%s has no input shape", model.Name, op))
	}
	b := &decoderBuilder{built: map[decoderKey]*valueDecoder{}}
	d, err := b.build(t, sh, op)
	if err != nil {
		panic("awsapi: " + err.Error())
	}
	return &inputDecoder{dec: d}
}

// decode stores doc in the struct that v points to.
func (d *inputDecoder) decode(doc map[string]any, v any) error {
	if err := d.dec.fn(doc, reflect.ValueOf(v).Elem()); err != nil {
		return fault.New(fault.Invalid, "The request body could not be parsed: %v", err)
	}
	return nil
}

// valueDecoder stores one document value in a Go value of its type; fn is
// set once the decoder is built (recursive shapes refer to it before that).
type valueDecoder struct {
	fn func(v any, dst reflect.Value) error
}

type decoderKey struct {
	t     reflect.Type
	shape *apimodel.Shape
}

// decoderBuilder builds the decoders of one wire type, sharing the decoders
// of (type, shape) pairs so that recursive shapes terminate.
type decoderBuilder struct {
	built map[decoderKey]*valueDecoder
}

var (
	rawMessageType  = reflect.TypeFor[json.RawMessage]()
	unmarshalerType = reflect.TypeFor[json.Unmarshaler]()
)

// build returns the decoder of sh's values into t; path names the place in
// the input type for error messages.
func (b *decoderBuilder) build(t reflect.Type, sh *apimodel.Shape, path string) (*valueDecoder, error) {
	key := decoderKey{t, sh}
	if d, ok := b.built[key]; ok {
		return d, nil
	}
	d := &valueDecoder{}
	b.built[key] = d
	mismatch := func() error {
		return fmt.Errorf("%s: Go type %s cannot hold the %s shape %s", path, t, sh.Type, sh.Name)
	}
	switch {
	case t == rawMessageType:
		d.fn = decodeRaw
		return d, nil
	case t.Kind() == reflect.Interface && t.NumMethod() == 0:
		d.fn = decodeAny
		return d, nil
	case t.Kind() != reflect.Pointer && reflect.PointerTo(t).Implements(unmarshalerType):
		// The type decodes its own JSON, as it does in the stores.
		d.fn = decodeUnmarshaler
		return d, nil
	case t.Kind() == reflect.Pointer:
		elem, err := b.build(t.Elem(), sh, path)
		if err != nil {
			return nil, err
		}
		d.fn = func(v any, dst reflect.Value) error {
			p := reflect.New(t.Elem())
			if err := elem.fn(v, p.Elem()); err != nil {
				return err
			}
			dst.Set(p)
			return nil
		}
		return d, nil
	}
	switch sh.Type {
	case apimodel.TypeString, apimodel.TypeBlob:
		if t.Kind() != reflect.String {
			return nil, mismatch()
		}
		d.fn = decodeString
	case apimodel.TypeBoolean:
		if t.Kind() != reflect.Bool {
			return nil, mismatch()
		}
		d.fn = decodeBool
	case apimodel.TypeInteger, apimodel.TypeLong:
		switch t.Kind() {
		case reflect.Int, reflect.Int32, reflect.Int64:
			d.fn = decodeInt
		default:
			return nil, mismatch()
		}
	case apimodel.TypeFloat, apimodel.TypeDouble:
		if t.Kind() != reflect.Float64 && t.Kind() != reflect.Float32 {
			return nil, mismatch()
		}
		d.fn = decodeFloat
	case apimodel.TypeList:
		if t.Kind() != reflect.Slice {
			return nil, mismatch()
		}
		elem, err := b.build(t.Elem(), sh.Member, path+"[]")
		if err != nil {
			return nil, err
		}
		d.fn = func(v any, dst reflect.Value) error {
			list, ok := v.([]any)
			if !ok {
				return typeError(v, t)
			}
			out := reflect.MakeSlice(t, len(list), len(list))
			for i, e := range list {
				if e == nil {
					continue
				}
				if err := elem.fn(e, out.Index(i)); err != nil {
					return err
				}
			}
			dst.Set(out)
			return nil
		}
	case apimodel.TypeMap:
		if t.Kind() != reflect.Map || t.Key().Kind() != reflect.String {
			return nil, mismatch()
		}
		elem, err := b.build(t.Elem(), sh.Value, path+"{}")
		if err != nil {
			return nil, err
		}
		d.fn = func(v any, dst reflect.Value) error {
			m, ok := v.(map[string]any)
			if !ok {
				return typeError(v, t)
			}
			out := reflect.MakeMapWithSize(t, len(m))
			for k, e := range m {
				ev := reflect.New(t.Elem()).Elem()
				if e != nil {
					if err := elem.fn(e, ev); err != nil {
						return err
					}
				}
				out.SetMapIndex(reflect.ValueOf(k).Convert(t.Key()), ev)
			}
			dst.Set(out)
			return nil
		}
	case apimodel.TypeStructure:
		if t.Kind() != reflect.Struct {
			return nil, mismatch()
		}
		fn, err := b.buildStruct(t, sh, path)
		if err != nil {
			return nil, err
		}
		d.fn = fn
	default:
		return nil, mismatch()
	}
	return d, nil
}

// fieldDecoder decodes one member of a structure into field index.
type fieldDecoder struct {
	index int
	dec   *valueDecoder
}

func (b *decoderBuilder) buildStruct(t reflect.Type, sh *apimodel.Shape, path string) (func(any, reflect.Value) error, error) {
	fields := make(map[string]fieldDecoder, t.NumField())
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		m, ok := sh.MemberByName(name)
		if !ok {
			return nil, fmt.Errorf("%s.%s: the shape %s has no member %q", path, f.Name, sh.Name, name)
		}
		d, err := b.build(f.Type, m.Target, path+"."+f.Name)
		if err != nil {
			return nil, err
		}
		fields[name] = fieldDecoder{index: i, dec: d}
	}
	return func(v any, dst reflect.Value) error {
		m, ok := v.(map[string]any)
		if !ok {
			return typeError(v, t)
		}
		for k, e := range m {
			f, ok := fields[k]
			if !ok || e == nil {
				continue
			}
			if err := f.dec.fn(e, dst.Field(f.index)); err != nil {
				return err
			}
		}
		return nil
	}, nil
}

func decodeString(v any, dst reflect.Value) error {
	s, ok := v.(string)
	if !ok {
		return typeError(v, dst.Type())
	}
	dst.SetString(s)
	return nil
}

func decodeBool(v any, dst reflect.Value) error {
	b, ok := v.(bool)
	if !ok {
		return typeError(v, dst.Type())
	}
	dst.SetBool(b)
	return nil
}

func decodeInt(v any, dst reflect.Value) error {
	var n int64
	switch x := v.(type) {
	case json.Number:
		var err error
		if n, err = strconv.ParseInt(string(x), 10, 64); err != nil {
			return fmt.Errorf("the number %s does not fit %s", x, dst.Type())
		}
	case float64:
		if x != float64(int64(x)) {
			return fmt.Errorf("the number %v does not fit %s", x, dst.Type())
		}
		n = int64(x)
	case int:
		n = int64(x)
	case int64:
		n = x
	default:
		return typeError(v, dst.Type())
	}
	if dst.OverflowInt(n) {
		return fmt.Errorf("the number %d does not fit %s", n, dst.Type())
	}
	dst.SetInt(n)
	return nil
}

func decodeFloat(v any, dst reflect.Value) error {
	var f float64
	switch x := v.(type) {
	case json.Number:
		var err error
		if f, err = strconv.ParseFloat(string(x), 64); err != nil {
			return fmt.Errorf("the number %s does not fit %s", x, dst.Type())
		}
	case float64:
		f = x
	case int:
		f = float64(x)
	case int64:
		f = float64(x)
	default:
		return typeError(v, dst.Type())
	}
	dst.SetFloat(f)
	return nil
}

// decodeRaw keeps a value as its JSON encoding.
func decodeRaw(v any, dst reflect.Value) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	dst.SetBytes(b)
	return nil
}

// decodeUnmarshaler hands a value's JSON encoding to the type's UnmarshalJSON.
func decodeUnmarshaler(v any, dst reflect.Value) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return dst.Addr().Interface().(json.Unmarshaler).UnmarshalJSON(b)
}

// decodeAny keeps a value as it is in the document.
func decodeAny(v any, dst reflect.Value) error {
	dst.Set(reflect.ValueOf(v))
	return nil
}

func typeError(v any, t reflect.Type) error {
	return fmt.Errorf("a value of type %T cannot be stored in %s", v, t)
}
