package render

import (
	"encoding/json"
	"maps"
)

// Attributes holds the values for placeholders. It mirrors the qconnect
// MessageTemplateAttributes shape; the json tags follow the qconnect wire
// names, so the type can be decoded directly from a RenderMessageTemplate
// request's "attributes" or a template's "defaultAttributes".
type Attributes struct {
	System   SystemAttributes          `json:"systemAttributes,omitzero"`
	Agent    AgentAttributes           `json:"agentAttributes,omitzero"`
	Customer CustomerProfileAttributes `json:"customerProfileAttributes,omitzero"`
	// Custom holds the values of Attributes.Custom.<key>; a present key with an
	// empty value counts as provided.
	Custom map[string]string `json:"customAttributes,omitempty"`
}

// SystemAttributes are the values of Attributes.System.*; an empty string
// means the value is not set.
type SystemAttributes struct {
	// Name is Attributes.System.Name.
	Name string `json:"name,omitempty"`
	// CustomerEndpoint.Address is Attributes.System.CustomerEndpointAddress.
	CustomerEndpoint EndpointAttributes `json:"customerEndpoint,omitzero"`
	// SystemEndpoint.Address is Attributes.System.SystemEmailAddress.
	SystemEndpoint EndpointAttributes `json:"systemEndpoint,omitzero"`
}

// EndpointAttributes is the qconnect SystemEndpointAttributes shape.
type EndpointAttributes struct {
	// Address is the endpoint's address; empty means not set.
	Address string `json:"address,omitempty"`
}

// AgentAttributes are the values of Attributes.Agent.*; an empty string means
// the value is not set.
type AgentAttributes struct {
	// FirstName is Attributes.Agent.FirstName.
	FirstName string `json:"firstName,omitempty"`
	// LastName is Attributes.Agent.LastName.
	LastName string `json:"lastName,omitempty"`
}

// CustomerProfileAttributes are the values of Attributes.Customer.*.
//
// On the wire it is one flat JSON object: the standard fields under their
// camelCase names plus a nested "custom" object. Unknown member names and
// non-string values are refused when decoding, as qconnect refuses them.
type CustomerProfileAttributes struct {
	// Fields is keyed by the camelCase member name of the qconnect shape
	// ("firstName", "address1", "profileARN"); Attributes.Customer.FirstName
	// reads Fields["firstName"]. Use CustomerFieldKey to normalise a name.
	Fields map[string]string
	// Custom holds the values of Attributes.Customer.Attributes.<key> (the
	// shape's "custom" map).
	Custom map[string]string
}

// IsZero reports whether c holds no value; encoding/json's omitzero uses it.
func (c CustomerProfileAttributes) IsZero() bool {
	return len(c.Fields) == 0 && len(c.Custom) == 0
}

// MarshalJSON encodes c as the flat qconnect object. A key of Fields that is
// not a camelCase member of the shape is an error.
func (c CustomerProfileAttributes) MarshalJSON() ([]byte, error) {
	out := make(map[string]any, len(c.Fields)+1)
	for k, v := range c.Fields {
		if _, ok := customerFieldPascal(k); !ok {
			return nil, &CustomerAttributesError{Key: k, Reason: "not a customer profile attribute"}
		}
		out[k] = v
	}
	if len(c.Custom) > 0 {
		out[customMember] = c.Custom
	}
	return json.Marshal(out)
}

// UnmarshalJSON decodes the flat qconnect object strictly: member names must
// be the camelCase names of the shape or "custom", values strings or null
// (null is the same as absent). Any refusal is a *CustomerAttributesError.
func (c *CustomerProfileAttributes) UnmarshalJSON(b []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return &CustomerAttributesError{Reason: "not a JSON object", Err: err}
	}
	var res CustomerProfileAttributes
	for k, v := range raw {
		if k == customMember {
			if err := decodeStringMap(k, v, &res.Custom); err != nil {
				return err
			}
			continue
		}
		if _, ok := customerFieldPascal(k); !ok {
			return &CustomerAttributesError{Key: k, Reason: "not a customer profile attribute"}
		}
		if err := setString(&res.Fields, k, k, v); err != nil {
			return err
		}
	}
	*c = res
	return nil
}

// Merge returns the attributes to render with: every value present in request,
// and for each value absent from it, the one in defaults (the template's
// defaultAttributes). Either argument may be nil. Map entries are merged key
// by key; a key present in request with an empty value wins over defaults. The
// result shares no map with its arguments.
func Merge(request, defaults *Attributes) *Attributes {
	var r, d Attributes
	if request != nil {
		r = *request
	}
	if defaults != nil {
		d = *defaults
	}
	return &Attributes{
		System: SystemAttributes{
			Name:             first(r.System.Name, d.System.Name),
			CustomerEndpoint: EndpointAttributes{Address: first(r.System.CustomerEndpoint.Address, d.System.CustomerEndpoint.Address)},
			SystemEndpoint:   EndpointAttributes{Address: first(r.System.SystemEndpoint.Address, d.System.SystemEndpoint.Address)},
		},
		Agent: AgentAttributes{
			FirstName: first(r.Agent.FirstName, d.Agent.FirstName),
			LastName:  first(r.Agent.LastName, d.Agent.LastName),
		},
		Customer: CustomerProfileAttributes{
			Fields: mergeMaps(r.Customer.Fields, d.Customer.Fields),
			Custom: mergeMaps(r.Customer.Custom, d.Customer.Custom),
		},
		Custom: mergeMaps(r.Custom, d.Custom),
	}
}

func first(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// mergeMaps copies b and then a over it; nil when both are empty.
func mergeMaps(a, b map[string]string) map[string]string {
	if len(a) == 0 && len(b) == 0 {
		return nil
	}
	m := make(map[string]string, len(a)+len(b))
	maps.Copy(m, b)
	maps.Copy(m, a)
	return m
}

// AttributeTypes returns the qconnect attribute types (SYSTEM, AGENT,
// CUSTOMER_PROFILE, CUSTOM) of the placeholders used in texts, sorted and
// without duplicates; nil when the texts use none. This is a template's
// attributeTypes.
func AttributeTypes(texts ...string) []string {
	seen := make(map[Category]bool, 4)
	for _, s := range texts {
		for _, p := range Placeholders(s) {
			seen[p.Category] = true
		}
	}
	var out []string
	// Alphabetical order of the enum spellings.
	for _, c := range [...]Category{CategoryAgent, CategoryCustom, CategoryCustomerProfile, CategorySystem} {
		if seen[c] {
			out = append(out, string(c))
		}
	}
	return out
}
