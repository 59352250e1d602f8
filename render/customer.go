package render

import (
	"encoding/json"
	"fmt"
	"unicode"
	"unicode/utf8"
)

// customMember is the qconnect member holding a profile's custom attributes.
const customMember = "custom"

// customerFields maps the PascalCase placeholder field of every standard
// member of the qconnect CustomerProfileAttributes shape to its camelCase
// member name. It is a constant table: never written.
var customerFields = map[string]string{
	"ProfileId":             "profileId",
	"ProfileARN":            "profileARN",
	"FirstName":             "firstName",
	"MiddleName":            "middleName",
	"LastName":              "lastName",
	"AccountNumber":         "accountNumber",
	"EmailAddress":          "emailAddress",
	"PhoneNumber":           "phoneNumber",
	"AdditionalInformation": "additionalInformation",
	"PartyType":             "partyType",
	"BusinessName":          "businessName",
	"BirthDate":             "birthDate",
	"Gender":                "gender",
	"MobilePhoneNumber":     "mobilePhoneNumber",
	"HomePhoneNumber":       "homePhoneNumber",
	"BusinessPhoneNumber":   "businessPhoneNumber",
	"BusinessEmailAddress":  "businessEmailAddress",
	"Address1":              "address1",
	"Address2":              "address2",
	"Address3":              "address3",
	"Address4":              "address4",
	"City":                  "city",
	"County":                "county",
	"Country":               "country",
	"PostalCode":            "postalCode",
	"Province":              "province",
	"State":                 "state",
	"ShippingAddress1":      "shippingAddress1",
	"ShippingAddress2":      "shippingAddress2",
	"ShippingAddress3":      "shippingAddress3",
	"ShippingAddress4":      "shippingAddress4",
	"ShippingCity":          "shippingCity",
	"ShippingCounty":        "shippingCounty",
	"ShippingCountry":       "shippingCountry",
	"ShippingPostalCode":    "shippingPostalCode",
	"ShippingProvince":      "shippingProvince",
	"ShippingState":         "shippingState",
	"MailingAddress1":       "mailingAddress1",
	"MailingAddress2":       "mailingAddress2",
	"MailingAddress3":       "mailingAddress3",
	"MailingAddress4":       "mailingAddress4",
	"MailingCity":           "mailingCity",
	"MailingCounty":         "mailingCounty",
	"MailingCountry":        "mailingCountry",
	"MailingPostalCode":     "mailingPostalCode",
	"MailingProvince":       "mailingProvince",
	"MailingState":          "mailingState",
	"BillingAddress1":       "billingAddress1",
	"BillingAddress2":       "billingAddress2",
	"BillingAddress3":       "billingAddress3",
	"BillingAddress4":       "billingAddress4",
	"BillingCity":           "billingCity",
	"BillingCounty":         "billingCounty",
	"BillingCountry":        "billingCountry",
	"BillingPostalCode":     "billingPostalCode",
	"BillingProvince":       "billingProvince",
	"BillingState":          "billingState",
}

// customerFieldPascal returns the PascalCase placeholder field for a camelCase
// member name of the shape.
func customerFieldPascal(camel string) (string, bool) {
	r, n := utf8.DecodeRuneInString(camel)
	if n == 0 || !unicode.IsLower(r) {
		return "", false
	}
	pascal := string(unicode.ToUpper(r)) + camel[n:]
	if customerFields[pascal] != camel {
		return "", false
	}
	return pascal, true
}

// CustomerFieldKey returns the camelCase member name (the key of
// CustomerProfileAttributes.Fields) for a standard customer profile attribute
// given as either its camelCase member name ("firstName") or its PascalCase
// placeholder field ("FirstName"). ok is false for any other name.
func CustomerFieldKey(name string) (key string, ok bool) {
	if camel, ok := customerFields[name]; ok {
		return camel, true
	}
	if _, ok := customerFieldPascal(name); ok {
		return name, true
	}
	return "", false
}

// CustomerAttributesError reports why customer profile attributes were
// refused. It never quotes a value: they are sensitive.
type CustomerAttributesError struct {
	// Key is the offending member or custom key; empty when the text as a
	// whole is refused.
	Key string
	// Reason says what is wrong.
	Reason string
	// Err is the underlying JSON error, if any.
	Err error
}

// Error implements error.
func (e *CustomerAttributesError) Error() string {
	msg := "customer profile attributes: "
	if e.Key != "" {
		msg += fmt.Sprintf("%q: ", e.Key)
	}
	msg += e.Reason
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the underlying JSON error.
func (e *CustomerAttributesError) Unwrap() error { return e.Err }

// CustomerFromJSON parses the CustomerProfileAttributes string of Connect's
// StartOutboundEmailContact TemplateAttributes: a JSON object whose members
// are standard customer profile attributes, named in camelCase ("firstName",
// the qconnect form) or PascalCase ("FirstName", the placeholder form), plus
// at most one nested object of custom attributes under "custom", "Custom",
// "Attributes" or "attributes". Values must be strings; null is the same as
// absent and an empty string is a provided value.
//
// Refused, with a *CustomerAttributesError: text that is not a JSON object
// (including the empty string and "null"), an unknown member name (the
// qconnect shape is closed), a non-string value, and the same attribute given
// twice under different spellings.
func CustomerFromJSON(s string) (CustomerProfileAttributes, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal([]byte(s), &raw); err != nil {
		return CustomerProfileAttributes{}, &CustomerAttributesError{Reason: "not a JSON object", Err: err}
	}
	if raw == nil {
		return CustomerProfileAttributes{}, &CustomerAttributesError{Reason: "not a JSON object"}
	}
	var res CustomerProfileAttributes
	customSeen := ""
	for k, v := range raw {
		switch k {
		case "custom", "Custom", "attributes", "Attributes":
			if customSeen != "" {
				return CustomerProfileAttributes{}, &CustomerAttributesError{Key: k, Reason: "custom attributes given twice (also as " + customSeen + ")"}
			}
			customSeen = k
			if err := decodeStringMap(k, v, &res.Custom); err != nil {
				return CustomerProfileAttributes{}, err
			}
			continue
		}
		camel, ok := CustomerFieldKey(k)
		if !ok {
			return CustomerProfileAttributes{}, &CustomerAttributesError{Key: k, Reason: "not a customer profile attribute"}
		}
		if err := setString(&res.Fields, camel, k, v); err != nil {
			return CustomerProfileAttributes{}, err
		}
	}
	return res, nil
}

// decodeStringMap decodes raw, the value of member, as an object of string
// (or null) values into *dst.
func decodeStringMap(member string, raw json.RawMessage, dst *map[string]string) error {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		return &CustomerAttributesError{Key: member, Reason: "not a JSON object", Err: err}
	}
	for k, v := range obj {
		if err := setString(dst, k, k, v); err != nil {
			return err
		}
	}
	return nil
}

// setString stores the JSON string raw under key in *dst; null stores
// nothing. name is the key as the input spelled it, for errors.
func setString(dst *map[string]string, key, name string, raw json.RawMessage) error {
	if string(raw) == "null" {
		return nil
	}
	var v string
	if err := json.Unmarshal(raw, &v); err != nil {
		return &CustomerAttributesError{Key: name, Reason: "value is not a string"}
	}
	if *dst == nil {
		*dst = make(map[string]string)
	}
	if _, dup := (*dst)[key]; dup {
		return &CustomerAttributesError{Key: name, Reason: "given twice"}
	}
	(*dst)[key] = v
	return nil
}
