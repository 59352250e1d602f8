// Package storedoc is the JSON form in which the stores keep the domain
// values that are not flat columns: a contact's extra recipients,
// references and segment attributes. Both engines use it, so that they
// write the same bytes, and the domain types carry no JSON shapes. The
// member names are those the stores have always written (they were the
// Connect wire names), so existing databases read back unchanged.
package storedoc

import (
	"encoding/json"

	"github.com/connectmail/connectmail/connect"
)

// endpoint is a stored connect.Endpoint.
type endpoint struct {
	Address     string `json:"Address"`
	DisplayName string `json:"DisplayName,omitempty"`
}

// Endpoints encodes a list of addresses (nil for an empty list).
func Endpoints(list []connect.Endpoint) json.RawMessage {
	if len(list) == 0 {
		return nil
	}
	out := make([]endpoint, len(list))
	for i, e := range list {
		out[i] = endpoint(e)
	}
	return marshal(out)
}

// ParseEndpoints decodes what Endpoints wrote (nil for nothing).
func ParseEndpoints(b []byte) ([]connect.Endpoint, error) {
	var in []endpoint
	if err := unmarshal(b, &in); err != nil || in == nil {
		return nil, err
	}
	out := make([]connect.Endpoint, len(in))
	for i, e := range in {
		out[i] = connect.Endpoint(e)
	}
	return out, nil
}

// reference is a stored connect.Reference.
type reference struct {
	Value        string `json:"Value,omitempty"`
	Type         string `json:"Type"`
	Status       string `json:"Status,omitempty"`
	ARN          string `json:"Arn,omitempty"`
	StatusReason string `json:"StatusReason,omitempty"`
}

// References encodes a contact's references by name (nil for none).
func References(refs map[string]connect.Reference) json.RawMessage {
	if len(refs) == 0 {
		return nil
	}
	out := make(map[string]reference, len(refs))
	for k, r := range refs {
		out[k] = reference(r)
	}
	return marshal(out)
}

// ParseReferences decodes what References wrote (nil for nothing).
func ParseReferences(b []byte) (map[string]connect.Reference, error) {
	var in map[string]reference
	if err := unmarshal(b, &in); err != nil || in == nil {
		return nil, err
	}
	out := make(map[string]connect.Reference, len(in))
	for k, r := range in {
		out[k] = connect.Reference(r)
	}
	return out, nil
}

// segmentValue is a stored connect.SegmentAttributeValue.
type segmentValue struct {
	ValueString  *string                 `json:"ValueString,omitempty"`
	ValueMap     map[string]segmentValue `json:"ValueMap,omitzero"`
	ValueInteger *int                    `json:"ValueInteger,omitempty"`
	ValueList    []segmentValue          `json:"ValueList,omitzero"`
	ValueArn     *string                 `json:"ValueArn,omitempty"`
}

func toSegment(v connect.SegmentAttributeValue) segmentValue {
	out := segmentValue{ValueString: v.String, ValueInteger: v.Integer, ValueArn: v.ARN}
	if v.Map != nil {
		out.ValueMap = make(map[string]segmentValue, len(v.Map))
		for k, e := range v.Map {
			out.ValueMap[k] = toSegment(e)
		}
	}
	if v.List != nil {
		out.ValueList = make([]segmentValue, len(v.List))
		for i, e := range v.List {
			out.ValueList[i] = toSegment(e)
		}
	}
	return out
}

func fromSegment(v segmentValue) connect.SegmentAttributeValue {
	out := connect.SegmentAttributeValue{String: v.ValueString, Integer: v.ValueInteger, ARN: v.ValueArn}
	if v.ValueMap != nil {
		out.Map = make(map[string]connect.SegmentAttributeValue, len(v.ValueMap))
		for k, e := range v.ValueMap {
			out.Map[k] = fromSegment(e)
		}
	}
	if v.ValueList != nil {
		out.List = make([]connect.SegmentAttributeValue, len(v.ValueList))
		for i, e := range v.ValueList {
			out.List[i] = fromSegment(e)
		}
	}
	return out
}

// SegmentAttributes encodes a contact's segment attributes (nil for none).
func SegmentAttributes(seg map[string]connect.SegmentAttributeValue) json.RawMessage {
	if len(seg) == 0 {
		return nil
	}
	out := make(map[string]segmentValue, len(seg))
	for k, v := range seg {
		out[k] = toSegment(v)
	}
	return marshal(out)
}

// ParseSegmentAttributes decodes what SegmentAttributes wrote, or the
// request's JSON that earlier versions kept as it came (nil for nothing).
func ParseSegmentAttributes(b []byte) (map[string]connect.SegmentAttributeValue, error) {
	var in map[string]segmentValue
	if err := unmarshal(b, &in); err != nil || in == nil {
		return nil, err
	}
	out := make(map[string]connect.SegmentAttributeValue, len(in))
	for k, v := range in {
		out[k] = fromSegment(v)
	}
	return out, nil
}

func marshal(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic("storedoc: " + err.Error()) // the documents hold only strings, numbers, maps and slices
	}
	return b
}

func unmarshal(b []byte, v any) error {
	if len(b) == 0 {
		return nil
	}
	return json.Unmarshal(b, v)
}
