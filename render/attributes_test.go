package render

import (
	"encoding/json"
	"errors"
	"maps"
	"reflect"
	"strings"
	"testing"
)

func TestMerge(t *testing.T) {
	request := &Attributes{
		System:   SystemAttributes{Name: "Req"},
		Agent:    AgentAttributes{LastName: "ReqLast"},
		Customer: CustomerProfileAttributes{Fields: map[string]string{"firstName": "Ana", "city": ""}, Custom: map[string]string{"vip": "yes"}},
		Custom:   map[string]string{"a": "1", "e": ""},
	}
	defaults := &Attributes{
		System: SystemAttributes{
			Name:             "Def",
			CustomerEndpoint: EndpointAttributes{Address: "c@example.com"},
			SystemEndpoint:   EndpointAttributes{Address: "s@example.com"},
		},
		Agent:    AgentAttributes{FirstName: "DefFirst", LastName: "DefLast"},
		Customer: CustomerProfileAttributes{Fields: map[string]string{"firstName": "X", "city": "Oslo", "state": "NY"}, Custom: map[string]string{"vip": "no", "tier": "1"}},
		Custom:   map[string]string{"a": "0", "b": "2", "e": "def"},
	}
	want := &Attributes{
		System: SystemAttributes{
			Name:             "Req",
			CustomerEndpoint: EndpointAttributes{Address: "c@example.com"},
			SystemEndpoint:   EndpointAttributes{Address: "s@example.com"},
		},
		Agent:    AgentAttributes{FirstName: "DefFirst", LastName: "ReqLast"},
		Customer: CustomerProfileAttributes{Fields: map[string]string{"firstName": "Ana", "city": "", "state": "NY"}, Custom: map[string]string{"vip": "yes", "tier": "1"}},
		Custom:   map[string]string{"a": "1", "b": "2", "e": ""},
	}
	got := Merge(request, defaults)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Merge = %+v\nwant %+v", got, want)
	}
	// The result shares no map with the inputs.
	got.Custom["a"] = "changed"
	got.Customer.Fields["firstName"] = "changed"
	got.Customer.Custom["vip"] = "changed"
	if request.Custom["a"] != "1" || request.Customer.Fields["firstName"] != "Ana" || request.Customer.Custom["vip"] != "yes" || defaults.Custom["b"] != "2" {
		t.Error("Merge result aliases an input map")
	}

	if got := Merge(nil, nil); !reflect.DeepEqual(got, &Attributes{}) {
		t.Errorf("Merge(nil, nil) = %+v", got)
	}
	if got := Merge(nil, defaults); !reflect.DeepEqual(got, defaults) {
		t.Errorf("Merge(nil, d) = %+v, want d", got)
	}
	if got := Merge(request, nil); !reflect.DeepEqual(got, request) {
		t.Errorf("Merge(r, nil) = %+v, want r", got)
	}
}

// wireJSON is a RenderMessageTemplate "attributes" object as qconnect clients
// send it.
const wireJSON = `{
  "systemAttributes": {"name": "Acme", "customerEndpoint": {"address": "ana@example.com"}, "systemEndpoint": {"address": "help@acme.example"}},
  "agentAttributes": {"firstName": "Bo", "lastName": "Lind"},
  "customerProfileAttributes": {"firstName": "Ana", "profileARN": "arn:x", "shippingAddress4": "Apt 2", "custom": {"vip": "gold"}},
  "customAttributes": {"orderId": "A-17"}
}`

func TestAttributesWireJSON(t *testing.T) {
	var a Attributes
	dec := json.NewDecoder(strings.NewReader(wireJSON))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&a); err != nil {
		t.Fatal(err)
	}
	want := Attributes{
		System: SystemAttributes{
			Name:             "Acme",
			CustomerEndpoint: EndpointAttributes{Address: "ana@example.com"},
			SystemEndpoint:   EndpointAttributes{Address: "help@acme.example"},
		},
		Agent: AgentAttributes{FirstName: "Bo", LastName: "Lind"},
		Customer: CustomerProfileAttributes{
			Fields: map[string]string{"firstName": "Ana", "profileARN": "arn:x", "shippingAddress4": "Apt 2"},
			Custom: map[string]string{"vip": "gold"},
		},
		Custom: map[string]string{"orderId": "A-17"},
	}
	if !reflect.DeepEqual(a, want) {
		t.Fatalf("decoded %+v\nwant %+v", a, want)
	}
	out, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	var back Attributes
	if err := json.Unmarshal(out, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, want) {
		t.Errorf("round trip %s gave %+v", out, back)
	}
	// Generic comparison with the input: same members, same values.
	var in, re any
	_ = json.Unmarshal([]byte(wireJSON), &in)
	_ = json.Unmarshal(out, &re)
	if !reflect.DeepEqual(in, re) {
		t.Errorf("marshal changed the wire form:\n%s", out)
	}

	empty, err := json.Marshal(Attributes{})
	if err != nil || string(empty) != "{}" {
		t.Errorf("empty Attributes marshal = %s, %v", empty, err)
	}
}

func TestCustomerWireJSONStrict(t *testing.T) {
	tests := []struct {
		in      string
		wantKey string // "" with wantErr: error about the whole text
		wantErr bool
		want    CustomerProfileAttributes
	}{
		{in: `{}`},
		{in: `null`},
		{in: `{"firstName": null, "custom": null}`},
		{in: `{"firstName":"A","custom":{"k":"v","n":null}}`, want: CustomerProfileAttributes{Fields: map[string]string{"firstName": "A"}, Custom: map[string]string{"k": "v"}}},
		{in: `{"FirstName":"A"}`, wantKey: "FirstName", wantErr: true},
		{in: `{"nickname":"A"}`, wantKey: "nickname", wantErr: true},
		{in: `{"Attributes":{"k":"v"}}`, wantKey: "Attributes", wantErr: true},
		{in: `{"firstName":1}`, wantKey: "firstName", wantErr: true},
		{in: `{"custom":{"k":true}}`, wantKey: "k", wantErr: true},
		{in: `{"custom":"x"}`, wantKey: "custom", wantErr: true},
		{in: `[]`, wantErr: true},
	}
	for _, tc := range tests {
		var got CustomerProfileAttributes
		err := json.Unmarshal([]byte(tc.in), &got)
		if tc.wantErr {
			var ce *CustomerAttributesError
			if !errors.As(err, &ce) || ce.Key != tc.wantKey {
				t.Errorf("%s: err = %v, want CustomerAttributesError for key %q", tc.in, err, tc.wantKey)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: got %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
	}

	if _, err := json.Marshal(CustomerProfileAttributes{Fields: map[string]string{"FirstName": "x"}}); err == nil {
		t.Error("marshal accepted a PascalCase key in Fields")
	}
}

func TestCustomerFromJSON(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		fields  map[string]string
		custom  map[string]string
		errKey  string
		wantErr bool
	}{
		{name: "camelCase", in: `{"firstName":"Ana","address1":"1 Main","profileARN":"arn:1"}`,
			fields: map[string]string{"firstName": "Ana", "address1": "1 Main", "profileARN": "arn:1"}},
		{name: "PascalCase", in: `{"FirstName":"Ana","Address1":"1 Main","ProfileARN":"arn:1","BusinessEmailAddress":"b@x"}`,
			fields: map[string]string{"firstName": "Ana", "address1": "1 Main", "profileARN": "arn:1", "businessEmailAddress": "b@x"}},
		{name: "mixed forms", in: `{"FirstName":"Ana","lastName":"Lind"}`, fields: map[string]string{"firstName": "Ana", "lastName": "Lind"}},
		{name: "custom", in: `{"custom":{"vip":"gold"}}`, custom: map[string]string{"vip": "gold"}},
		{name: "Attributes", in: `{"FirstName":"A","Attributes":{"vip":"gold","Tier":"1"}}`,
			fields: map[string]string{"firstName": "A"}, custom: map[string]string{"vip": "gold", "Tier": "1"}},
		{name: "empty value is kept", in: `{"firstName":""}`, fields: map[string]string{"firstName": ""}},
		{name: "null is absent", in: `{"firstName":null,"lastName":"L"}`, fields: map[string]string{"lastName": "L"}},
		{name: "unicode", in: `{"firstName":"Zoë \u263a","custom":{"日本":"東京"}}`,
			fields: map[string]string{"firstName": "Zoë ☺"}, custom: map[string]string{"日本": "東京"}},
		{name: "empty object", in: `{}`},
		{name: "empty string", in: ``, wantErr: true},
		{name: "null", in: `null`, wantErr: true},
		{name: "array", in: `["firstName"]`, wantErr: true},
		{name: "string", in: `"firstName"`, wantErr: true},
		{name: "invalid", in: `{"firstName":`, wantErr: true},
		{name: "unknown key", in: `{"firstName":"A","nickName":"B"}`, errKey: "nickName", wantErr: true},
		{name: "wrong case", in: `{"FIRSTNAME":"A"}`, errKey: "FIRSTNAME", wantErr: true},
		{name: "number value", in: `{"accountNumber":12345}`, errKey: "accountNumber", wantErr: true},
		{name: "object value", in: `{"firstName":{"x":"y"}}`, errKey: "firstName", wantErr: true},
		{name: "custom not object", in: `{"custom":["a"]}`, errKey: "custom", wantErr: true},
		{name: "custom non-string", in: `{"custom":{"n":1}}`, errKey: "n", wantErr: true},
		{name: "both spellings", in: `{"firstName":"A","FirstName":"B"}`, wantErr: true},
		{name: "two custom objects", in: `{"custom":{},"Attributes":{}}`, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := CustomerFromJSON(tc.in)
			if tc.wantErr {
				var ce *CustomerAttributesError
				if !errors.As(err, &ce) {
					t.Fatalf("err = %v, want *CustomerAttributesError", err)
				}
				if tc.errKey != "" && ce.Key != tc.errKey {
					t.Errorf("error key = %q, want %q (%v)", ce.Key, tc.errKey, err)
				}
				if got.Fields != nil || got.Custom != nil {
					t.Errorf("error with a non-empty result %+v", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !maps.Equal(got.Fields, tc.fields) || !maps.Equal(got.Custom, tc.custom) {
				t.Errorf("got %+v, want fields %v custom %v", got, tc.fields, tc.custom)
			}
		})
	}
}

func TestCustomerFromJSONErrorHidesValues(t *testing.T) {
	_, err := CustomerFromJSON(`{"firstName":{"secret-value":"x"}}`)
	if err == nil || strings.Contains(err.Error(), "secret-value") {
		t.Errorf("error %v", err)
	}
}

func TestCustomerFieldKey(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"firstName", "firstName", true},
		{"FirstName", "firstName", true},
		{"ProfileARN", "profileARN", true},
		{"profileARN", "profileARN", true},
		{"profileArn", "", false},
		{"Address1", "address1", true},
		{"mailingAddress4", "mailingAddress4", true},
		{"custom", "", false},
		{"Attributes", "", false},
		{"", "", false},
		{"firstname", "", false},
	}
	for _, tc := range tests {
		got, ok := CustomerFieldKey(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("CustomerFieldKey(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestCustomerFieldsMatchRenderedPlaceholders(t *testing.T) {
	// A profile decoded from PascalCase Connect JSON renders through the
	// PascalCase placeholders.
	c, err := CustomerFromJSON(`{"FirstName":"Ana","ShippingCity":"Oslo","Attributes":{"vip":"gold"}}`)
	if err != nil {
		t.Fatal(err)
	}
	got, missing := Render("{{Attributes.Customer.FirstName}}/{{Attributes.Customer.ShippingCity}}/{{Attributes.Customer.Attributes.vip}}",
		&Attributes{Customer: c}, Text)
	if got != "Ana/Oslo/gold" || missing != nil {
		t.Errorf("got %q, missing %q", got, missing)
	}
}
