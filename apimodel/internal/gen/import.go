package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// prose lists the traits that carry Amazon's text rather than facts about
// the API; importModels drops them, so that no AWS prose is in the
// repository.
var prose = set("documentation", "deprecatedMessage", "documentationUrl")

// importModels copies the model files of every service from the botocore
// directory src into dst without their prose, indented so that an update
// shows as a readable diff. Keys keep their order: the generator writes
// members in the model's order.
func importModels(src, dst string) error {
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return err
	}
	for _, spec := range services {
		for _, name := range []string{spec.model, spec.paginators} {
			data, err := os.ReadFile(filepath.Join(src, name))
			if err != nil {
				return err
			}
			dec := json.NewDecoder(bytes.NewReader(data))
			dec.UseNumber()
			v, err := decodeOrdered(dec)
			doc, ok := v.(*object)
			if err != nil || !ok {
				return fmt.Errorf("%s: not a JSON object (%v)", name, err)
			}
			stripModel(doc)
			compact, err := json.Marshal(doc)
			if err != nil {
				return err
			}
			var out bytes.Buffer
			if err := json.Indent(&out, compact, "", " "); err != nil {
				return err
			}
			out.WriteByte('\n')
			if err := os.WriteFile(filepath.Join(dst, name), out.Bytes(), 0o644); err != nil {
				return err
			}
		}
	}
	return nil
}

// stripModel removes the prose traits of a model: at its top level, in its
// metadata, operations, shapes and shape members. Names (of operations,
// shapes, members) are never touched, whatever they are called.
func stripModel(doc *object) {
	doc.strip()
	asObject(doc.get("metadata")).strip()
	for _, op := range asObject(doc.get("operations")).values() {
		asObject(op).strip()
	}
	for _, sh := range asObject(doc.get("shapes")).values() {
		shape := asObject(sh)
		shape.strip()
		for _, ref := range []string{"member", "key", "value"} {
			asObject(shape.get(ref)).strip()
		}
		for _, m := range asObject(shape.get("members")).values() {
			asObject(m).strip()
		}
	}
}

// object is a JSON object that keeps its keys' order.
type object struct {
	keys []string
	vals []any
}

func (o *object) get(key string) any {
	if o == nil {
		return nil
	}
	for i, k := range o.keys {
		if k == key {
			return o.vals[i]
		}
	}
	return nil
}

// values returns the object's values in order (none for a nil object).
func (o *object) values() []any {
	if o == nil {
		return nil
	}
	return o.vals
}

// strip drops the prose traits.
func (o *object) strip() {
	if o == nil {
		return
	}
	keys, vals := o.keys[:0], o.vals[:0]
	for i, k := range o.keys {
		if !prose[k] {
			keys, vals = append(keys, k), append(vals, o.vals[i])
		}
	}
	o.keys, o.vals = keys, vals
}

// MarshalJSON writes the object with its keys in order.
func (o *object) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range o.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		vb, err := json.Marshal(o.vals[i])
		if err != nil {
			return nil, err
		}
		b.Write(kb)
		b.WriteByte(':')
		b.Write(vb)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

func asObject(v any) *object {
	o, _ := v.(*object)
	return o
}

// decodeOrdered reads one JSON value, objects as *object.
func decodeOrdered(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch tok {
	case json.Delim('{'):
		o := &object{}
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				return nil, err
			}
			v, err := decodeOrdered(dec)
			if err != nil {
				return nil, err
			}
			o.keys, o.vals = append(o.keys, k.(string)), append(o.vals, v)
		}
		_, err := dec.Token()
		return o, err
	case json.Delim('['):
		list := []any{}
		for dec.More() {
			v, err := decodeOrdered(dec)
			if err != nil {
				return nil, err
			}
			list = append(list, v)
		}
		_, err := dec.Token()
		return list, err
	}
	return tok, nil
}
