package render

import (
	"html"
	"slices"
	"strings"
	"testing"
)

// fixture has a value for every category.
func fixture() *Attributes {
	return &Attributes{
		System: SystemAttributes{
			Name:             "Acme Support",
			CustomerEndpoint: EndpointAttributes{Address: "ana@example.com"},
			SystemEndpoint:   EndpointAttributes{Address: "help@acme.example"},
		},
		Agent: AgentAttributes{FirstName: "Bo", LastName: "Lind"},
		Customer: CustomerProfileAttributes{
			Fields: map[string]string{
				"firstName":            "Ana",
				"lastName":             "Ávila",
				"address1":             "1 Main St",
				"profileARN":           "arn:aws:profile:1",
				"businessEmailAddress": "ana@biz.example",
				"billingPostalCode":    "12345",
				"middleName":           "",
			},
			Custom: map[string]string{"vip": "gold", "tier.level": "3"},
		},
		Custom: map[string]string{
			"orderId":                "A-17",
			"html":                   `<script>alert("x")</script> & 'q'`,
			"empty":                  "",
			"日本":                     "東京",
			"a.b":                    "dotted",
			"Attributes.Custom.loop": "{{Attributes.Custom.orderId}}",
		},
	}
}

func TestRender(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		attrs   *Attributes // nil: fixture(), unless noAttrs
		noAttrs bool
		mode    Mode
		want    string
		missing []string
	}{
		{name: "no placeholder", in: "Hello world", want: "Hello world"},
		{name: "empty", in: "", want: ""},
		{name: "custom", in: "Order {{Attributes.Custom.orderId}}.", want: "Order A-17."},
		{name: "custom key with dots", in: "{{Attributes.Custom.a.b}}", want: "dotted"},
		{name: "customer first name", in: "Hi {{Attributes.Customer.FirstName}}!", want: "Hi Ana!"},
		{name: "customer address1", in: "{{Attributes.Customer.Address1}}", want: "1 Main St"},
		{name: "customer ProfileARN", in: "{{Attributes.Customer.ProfileARN}}", want: "arn:aws:profile:1"},
		{name: "customer BusinessEmailAddress", in: "{{Attributes.Customer.BusinessEmailAddress}}", want: "ana@biz.example"},
		{name: "customer BillingPostalCode", in: "{{Attributes.Customer.BillingPostalCode}}", want: "12345"},
		{name: "customer custom", in: "{{Attributes.Customer.Attributes.vip}}", want: "gold"},
		{name: "customer custom dotted key", in: "{{Attributes.Customer.Attributes.tier.level}}", want: "3"},
		{name: "agent", in: "{{Attributes.Agent.FirstName}} {{Attributes.Agent.LastName}}", want: "Bo Lind"},
		{name: "system name", in: "{{Attributes.System.Name}}", want: "Acme Support"},
		{name: "system customer endpoint", in: "{{Attributes.System.CustomerEndpointAddress}}", want: "ana@example.com"},
		{name: "system email", in: "{{Attributes.System.SystemEmailAddress}}", want: "help@acme.example"},
		{name: "spaces", in: "{{ Attributes.Custom.orderId }}", want: "A-17"},
		{name: "left space only", in: "{{  Attributes.Custom.orderId}}", want: "A-17"},
		{name: "tabs and newlines", in: "{{\tAttributes.Custom.orderId\n}}", want: "A-17"},
		{name: "space inside path is not a path", in: "{{Attributes.Custom. orderId}}", want: "{{Attributes.Custom. orderId}}"},
		{name: "space between words is not a path", in: "{{Attributes.Custom.order Id}}", want: "{{Attributes.Custom.order Id}}"},
		{name: "adjacent", in: "{{Attributes.Agent.FirstName}}{{Attributes.Agent.LastName}}", want: "BoLind"},
		{name: "adjacent missing and present", in: "{{Attributes.Custom.nope}}{{Attributes.Custom.orderId}}",
			want: "{{Attributes.Custom.nope}}A-17", missing: []string{"Attributes.Custom.nope"}},
		{name: "missing custom", in: "x {{Attributes.Custom.nope}} y", want: "x {{Attributes.Custom.nope}} y",
			missing: []string{"Attributes.Custom.nope"}},
		{name: "missing keeps original spacing, reports trimmed path", in: "{{ Attributes.Custom.nope  }}",
			want: "{{ Attributes.Custom.nope  }}", missing: []string{"Attributes.Custom.nope"}},
		{name: "missing deduplicated in first-seen order",
			in:      "{{Attributes.Custom.b}} {{Attributes.Agent.MiddleName}} {{ Attributes.Custom.b }} {{Attributes.Custom.a}}",
			attrs:   &Attributes{},
			want:    "{{Attributes.Custom.b}} {{Attributes.Agent.MiddleName}} {{ Attributes.Custom.b }} {{Attributes.Custom.a}}",
			missing: []string{"Attributes.Custom.b", "Attributes.Agent.MiddleName", "Attributes.Custom.a"}},
		{name: "nil attributes", in: "Hi {{Attributes.Customer.FirstName}}", noAttrs: true, mode: HTML,
			want: "Hi {{Attributes.Customer.FirstName}}", missing: []string{"Attributes.Customer.FirstName"}},
		{name: "unknown customer field reported", in: "{{Attributes.Customer.FristName}}",
			want: "{{Attributes.Customer.FristName}}", missing: []string{"Attributes.Customer.FristName"}},
		{name: "camelCase field in placeholder is not a field", in: "{{Attributes.Customer.firstName}}",
			want: "{{Attributes.Customer.firstName}}", missing: []string{"Attributes.Customer.firstName"}},
		{name: "customer custom missing", in: "{{Attributes.Customer.Attributes.nope}}",
			want: "{{Attributes.Customer.Attributes.nope}}", missing: []string{"Attributes.Customer.Attributes.nope"}},
		{name: "customer custom is not top-level custom", in: "{{Attributes.Customer.Attributes.orderId}}",
			want: "{{Attributes.Customer.Attributes.orderId}}", missing: []string{"Attributes.Customer.Attributes.orderId"}},
		{name: "customer field is not custom", in: "{{Attributes.Custom.firstName}}",
			want: "{{Attributes.Custom.firstName}}", missing: []string{"Attributes.Custom.firstName"}},
		{name: "unknown system field", in: "{{Attributes.System.Address}}",
			want: "{{Attributes.System.Address}}", missing: []string{"Attributes.System.Address"}},
		{name: "empty map value is provided", in: "[{{Attributes.Custom.empty}}][{{Attributes.Customer.MiddleName}}]", want: "[][]"},
		{name: "unset struct field is missing", in: "{{Attributes.Agent.FirstName}}",
			attrs: &Attributes{Agent: AgentAttributes{LastName: "x"}},
			want:  "{{Attributes.Agent.FirstName}}", missing: []string{"Attributes.Agent.FirstName"}},
		{name: "unknown category verbatim unreported", in: "{{Attributes.Contact.Id}}", want: "{{Attributes.Contact.Id}}"},
		{name: "category is case-sensitive", in: "{{Attributes.custom.orderId}}", want: "{{Attributes.custom.orderId}}"},
		{name: "prefix is case-sensitive", in: "{{attributes.Custom.orderId}}", want: "{{attributes.Custom.orderId}}"},
		{name: "no field", in: "{{Attributes.Custom.}} {{Attributes.Custom}} {{Attributes.}}", want: "{{Attributes.Custom.}} {{Attributes.Custom}} {{Attributes.}}"},
		{name: "plain mustache verbatim", in: "{{foo}} {{ }} {{}}", want: "{{foo}} {{ }} {{}}"},
		{name: "handlebars helpers verbatim", in: "{{#if Attributes.Custom.orderId}}yes{{/if}}",
			want: "{{#if Attributes.Custom.orderId}}yes{{/if}}"},
		{name: "triple stash verbatim", in: "{{{Attributes.Custom.orderId}}}", want: "{{{Attributes.Custom.orderId}}}"},
		{name: "nested open verbatim", in: "{{ {{Attributes.Custom.orderId}} x", want: "{{ {{Attributes.Custom.orderId}} x"},
		{name: "stray closing brace after", in: "{{Attributes.Custom.orderId}}}", want: "A-17}"},
		{name: "single braces literal", in: "{Attributes.Custom.orderId} }} {", want: "{Attributes.Custom.orderId} }} {"},
		{name: "unterminated", in: "Hi {{Attributes.Custom.orderId", want: "Hi {{Attributes.Custom.orderId"},
		{name: "unterminated after a placeholder", in: "{{Attributes.Custom.orderId}} and {{Attributes.Custom.orderId }",
			want: "A-17 and {{Attributes.Custom.orderId }"},
		{name: "closing before opening", in: "}}{{Attributes.Custom.orderId}}", want: "}}A-17"},
		{name: "unicode key and value", in: "→ {{Attributes.Custom.日本}} ←", want: "→ 東京 ←"},
		{name: "unicode value", in: "{{Attributes.Customer.LastName}}", mode: HTML, want: "Ávila"},
		{name: "value with braces is not rendered again", in: "{{Attributes.Custom.Attributes.Custom.loop}}",
			want: "{{Attributes.Custom.orderId}}"},
		{name: "text mode does not escape", in: "{{Attributes.Custom.html}}", mode: Text,
			want: `<script>alert("x")</script> & 'q'`},
		{name: "html mode escapes values", in: "<p>{{Attributes.Custom.html}}</p>", mode: HTML,
			want: `<p>&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &#39;q&#39;</p>`},
		{name: "html mode keeps template markup and verbatim placeholders", in: `<a href="x">{{Attributes.Custom.no<pe}}</a>`,
			mode: HTML, want: `<a href="x">{{Attributes.Custom.no<pe}}</a>`, missing: []string{"Attributes.Custom.no<pe"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			attrs := tc.attrs
			if attrs == nil && !tc.noAttrs {
				attrs = fixture()
			}
			got, missing := Render(tc.in, attrs, tc.mode)
			if got != tc.want {
				t.Errorf("Render(%q) = %q, want %q", tc.in, got, tc.want)
			}
			if !slices.Equal(missing, tc.missing) {
				t.Errorf("Render(%q) missing = %q, want %q", tc.in, missing, tc.missing)
			}
		})
	}
}

func TestRenderEveryCustomerField(t *testing.T) {
	for pascal, camel := range customerFields {
		a := &Attributes{Customer: CustomerProfileAttributes{Fields: map[string]string{camel: "v-" + camel}}}
		got, missing := Render("{{Attributes.Customer."+pascal+"}}", a, Text)
		if got != "v-"+camel || missing != nil {
			t.Errorf("%s: got %q, missing %q", pascal, got, missing)
		}
	}
	if len(customerFields) != 57 {
		t.Errorf("customer field table has %d entries, the qconnect shape has 57 standard members", len(customerFields))
	}
}

func TestRenderDefaultsFallback(t *testing.T) {
	defaults := &Attributes{
		Agent:    AgentAttributes{FirstName: "DefaultAgent", LastName: "DefaultLast"},
		Customer: CustomerProfileAttributes{Fields: map[string]string{"firstName": "friend", "city": "Oslo"}},
		Custom:   map[string]string{"orderId": "000", "greeting": "Hello", "empty": "default-not-used"},
	}
	request := &Attributes{
		Agent:    AgentAttributes{FirstName: "Bo"},
		Customer: CustomerProfileAttributes{Fields: map[string]string{"firstName": "Ana"}},
		Custom:   map[string]string{"orderId": "A-17", "empty": ""},
	}
	in := "{{Attributes.Custom.greeting}} {{Attributes.Customer.FirstName}} from {{Attributes.Customer.City}}, " +
		"order {{Attributes.Custom.orderId}} [{{Attributes.Custom.empty}}] by {{Attributes.Agent.FirstName}} " +
		"{{Attributes.Agent.LastName}} {{Attributes.Custom.none}}"
	got, missing := Render(in, Merge(request, defaults), Text)
	want := "Hello Ana from Oslo, order A-17 [] by Bo DefaultLast {{Attributes.Custom.none}}"
	if got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
	if !slices.Equal(missing, []string{"Attributes.Custom.none"}) {
		t.Errorf("missing = %q", missing)
	}
}

func TestRenderHTMLEscapingMatchesStdlib(t *testing.T) {
	for _, v := range []string{"", "plain", `<>&"'`, "a<b>c&d\"e'f", "&amp;", "é<ü>", "\x00<"} {
		a := &Attributes{Custom: map[string]string{"v": v}}
		got, _ := Render("{{Attributes.Custom.v}}", a, HTML)
		if want := html.EscapeString(v); got != want {
			t.Errorf("HTML value %q: got %q, want %q", v, got, want)
		}
		if got, _ := Render("{{Attributes.Custom.v}}", a, Text); got != v {
			t.Errorf("Text value %q: got %q", v, got)
		}
	}
}

func TestRenderManyMissing(t *testing.T) {
	// Past the linear-scan threshold the dedup switches to a set; order and
	// uniqueness must hold across the switch.
	var b strings.Builder
	var want []string
	for i := range 40 {
		k := "Attributes.Custom.k" + strings.Repeat("x", i%20)
		b.WriteString("{{" + k + "}}")
		if i < 20 {
			want = append(want, k)
		}
	}
	got, missing := Render(b.String(), nil, Text)
	if got != b.String() {
		t.Errorf("output changed")
	}
	if !slices.Equal(missing, want) {
		t.Errorf("missing = %q\nwant %q", missing, want)
	}
}

func TestPlaceholders(t *testing.T) {
	in := "{{Attributes.Customer.FirstName}} {{foo}} {{ Attributes.Custom.order.id }} {{Attributes.Customer.FirstName}} " +
		"{{Attributes.Customer.Attributes.vip}} {{Attributes.Unknown.X}} {{Attributes.System.Name}} {{Attributes.Agent.LastName}} {{Attributes.Custom.x"
	want := []Placeholder{
		{Path: "Attributes.Customer.FirstName", Category: CategoryCustomerProfile, Field: "FirstName"},
		{Path: "Attributes.Custom.order.id", Category: CategoryCustom, Field: "order.id"},
		{Path: "Attributes.Customer.Attributes.vip", Category: CategoryCustomerProfile, Field: "Attributes.vip"},
		{Path: "Attributes.System.Name", Category: CategorySystem, Field: "Name"},
		{Path: "Attributes.Agent.LastName", Category: CategoryAgent, Field: "LastName"},
	}
	if got := Placeholders(in); !slices.Equal(got, want) {
		t.Errorf("Placeholders = %+v\nwant %+v", got, want)
	}
	if got := Placeholders("no placeholders {{here}}"); got != nil {
		t.Errorf("Placeholders = %+v, want nil", got)
	}
}

func TestAttributeTypes(t *testing.T) {
	tests := []struct {
		texts []string
		want  []string
	}{
		{nil, nil},
		{[]string{"plain", "{{foo}} {{Attributes.Bogus.X}}"}, nil},
		{[]string{"{{Attributes.System.Name}}"}, []string{"SYSTEM"}},
		{[]string{"{{Attributes.Customer.Attributes.x}}"}, []string{"CUSTOMER_PROFILE"}},
		{[]string{"{{Attributes.System.Name}} {{Attributes.Custom.a}}", "<p>{{Attributes.Customer.FirstName}}</p>", "{{Attributes.Agent.FirstName}}{{Attributes.Custom.b}}"},
			[]string{"AGENT", "CUSTOM", "CUSTOMER_PROFILE", "SYSTEM"}},
		{[]string{"{{Attributes.Custom.a}}", "{{Attributes.Agent.Nope}}"}, []string{"AGENT", "CUSTOM"}},
	}
	for _, tc := range tests {
		if got := AttributeTypes(tc.texts...); !slices.Equal(got, tc.want) {
			t.Errorf("AttributeTypes(%q) = %q, want %q", tc.texts, got, tc.want)
		}
	}
}

func BenchmarkRender(b *testing.B) {
	attrs := fixture()
	tmpl := strings.Repeat(`<p>Dear {{ Attributes.Customer.FirstName }} {{Attributes.Customer.LastName}},</p>
<p>your order {{Attributes.Custom.orderId}} ships to {{Attributes.Customer.Address1}}. {{Attributes.Custom.html}}</p>
<p>{{Attributes.Custom.unknown}} {{#if x}} Regards, {{Attributes.Agent.FirstName}} — {{Attributes.System.Name}}</p>
`, 8)
	for _, mode := range []struct {
		name string
		m    Mode
	}{{"text", Text}, {"html", HTML}} {
		b.Run(mode.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(tmpl)))
			for b.Loop() {
				out, missing := Render(tmpl, attrs, mode.m)
				if len(out) == 0 || len(missing) != 1 {
					b.Fatal("unexpected result")
				}
			}
		})
	}
	b.Run("no-placeholders", func(b *testing.B) {
		plain := strings.Repeat("plain text without braces ", 100)
		b.ReportAllocs()
		for b.Loop() {
			Render(plain, attrs, HTML)
		}
	})
}
