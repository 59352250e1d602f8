// Package render substitutes Amazon Q in Connect message-template placeholders.
//
// A placeholder is {{Attributes.<Category>.<Field>}}; ASCII white space may
// surround the path inside the braces ({{ Attributes.Custom.orderId }}). The
// categories and where their values come from:
//
//	Attributes.Customer.<Field>            CustomerProfileAttributes.Fields[<field>]
//	                                       (PascalCase FirstName reads camelCase firstName)
//	Attributes.Customer.Attributes.<key>   CustomerProfileAttributes.Custom[<key>]
//	Attributes.Custom.<key>                Attributes.Custom[<key>] (exact key, may contain dots)
//	Attributes.Agent.FirstName|LastName    AgentAttributes
//	Attributes.System.Name                 SystemAttributes.Name
//	Attributes.System.CustomerEndpointAddress  SystemAttributes.CustomerEndpoint.Address
//	Attributes.System.SystemEmailAddress   SystemAttributes.SystemEndpoint.Address
//
// Rules, in the order the scanner applies them:
//
//   - A placeholder opens at the first "{{" and closes at the first "}}" after
//     it. A "{{" with no "}}" after it is literal text, as is everything after
//     it. Text between the braces containing "{", "}" or inner white space is
//     not a path, so {{{x}}} (a Handlebars triple-stash) and {{#if x}} are
//     literal.
//   - A path must start with "Attributes." and name one of the four categories
//     (case-sensitive) followed by a non-empty field. Anything else in braces
//     ({{foo}}, helpers, {{Attributes.Other.X}}) is copied verbatim and is not
//     reported.
//   - A path in a known category whose value is absent is copied verbatim and
//     reported as missing. That includes fields that do not exist in the shape
//     (a typo such as Attributes.Customer.FristName, a camelCase
//     Attributes.Customer.firstName, Attributes.Agent.MiddleName, or the
//     outbound-campaign Attributes.Customer.Recommendations...): they can never
//     have a value, and reporting them is what lets a user find the typo.
//   - Missing placeholders are reported by their path text without braces or
//     spaces, e.g. "Attributes.Customer.FirstName", in the order first seen and
//     without duplicates. This is the string a user can search the template
//     for, and what the template service puts in RenderMessageTemplate's
//     attributesNotInterpolated.
//   - A value that is present but empty counts as provided and renders as
//     nothing. Only maps can hold such a value (Custom, customer Fields and
//     customer Custom); in the struct fields of SystemAttributes and
//     AgentAttributes the empty string means "not set" (the qconnect shape
//     requires at least one character there anyway). Connect's
//     TemplateAttributes.CustomAttributes allows empty values, which is where
//     this matters.
//   - In HTML mode values are escaped (&, <, >, ", ' as html.EscapeString
//     does); in Text mode (plain-text bodies, subjects) they are inserted
//     as they are. Literal and verbatim template text is never changed.
//     HTML escaping makes a value safe as element text or as a quoted
//     attribute value; it does not vet URLs, so a value placed in
//     href="{{...}}" can still be a javascript: URL. Text mode leaves CR and
//     LF in values: whoever puts a rendered subject in a header encodes it.
//
// Values come from the request's attributes first and then from the template's
// defaultAttributes: see Merge.
//
// # Why a small scanner
//
// The rules above are narrower than any template language. text/template and
// html/template print "<no value>" or fail on a missing key and interpret
// every {{...}} as an action; Handlebars and Mustache ports blank missing
// variables (or fail) and would execute helpers; valyala/fasttemplate has the
// right shape (first "{{" to first "}}", a callback per tag) but refuses a
// template with an unterminated "{{" and would leave the verbatim, escaping
// and reporting rules to the callback anyway. None leaves unknown placeholders
// verbatim while reporting them, so the package scans the text itself in one
// linear pass with no regular expressions.
package render
