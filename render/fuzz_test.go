package render

import (
	"html"
	"strings"
	"testing"
)

// FuzzRender checks properties that must hold for every template and value:
//   - Render never panics;
//   - with no attributes the output equals the input (every placeholder is
//     missing and stays verbatim) in both modes;
//   - when values contain no brace, rendering the output again changes
//     nothing. (Values with braces can legitimately form new placeholders
//     with the text around them: a value "x{" before "{Attributes.Custom.b}}"
//     yields "x{{Attributes.Custom.b}}", so "no {{ in values" is not enough.);
//   - in HTML mode every '<' of the output is one of the template's: no '<'
//     from a value survives unescaped;
//   - for a template without '&', unescaping the HTML output gives the Text
//     output;
//   - every reported path appears in the output inside braces, and is unique.
func FuzzRender(f *testing.F) {
	seeds := []struct{ tmpl, v1, v2 string }{
		{"Hello {{Attributes.Customer.FirstName}}", "Ana", "x"},
		{"{{ Attributes.Custom.a }}{{Attributes.Custom.b}}", "<script>", "&amp;"},
		{"{{Attributes.Agent.FirstName}} {{Attributes.Agent.LastName}} {{Attributes.System.Name}}", "Bo", "Lind"},
		{"{{Attributes.System.CustomerEndpointAddress}} {{Attributes.System.SystemEmailAddress}}", "a@b", "c@d"},
		{"{{Attributes.Customer.Attributes.a}} {{Attributes.Customer.Address1}}", "'\"", ""},
		{"{{{Attributes.Custom.a}}} {{#if x}} {{foo}} {{", "v", "w"},
		{"{{Attributes.Custom.a", "v", "w"},
		{"}}{{}}{{ }}{{Attributes.}}{{Attributes.Custom.}}", "", ""},
		{"{{ {{Attributes.Custom.a}} }}", "日本", "東京"},
		{"<p>{{Attributes.Custom.b}}</p>", "a", "<b>&</b>"},
		{"{{Attributes.Unknown.X}}{{Attributes.Custom.missing}}", "a", "b"},
	}
	for _, s := range seeds {
		f.Add(s.tmpl, s.v1, s.v2)
	}
	f.Fuzz(func(t *testing.T, tmpl, v1, v2 string) {
		for _, mode := range []Mode{Text, HTML} {
			if out, missing := Render(tmpl, nil, mode); out != tmpl {
				t.Fatalf("mode %d, no attributes: output %q differs from input %q", mode, out, tmpl)
			} else {
				checkMissing(t, out, missing)
			}
		}

		attrs := &Attributes{
			System:   SystemAttributes{Name: v1, SystemEndpoint: EndpointAttributes{Address: v2}},
			Agent:    AgentAttributes{FirstName: v2},
			Customer: CustomerProfileAttributes{Fields: map[string]string{"firstName": v1, "address1": v2}, Custom: map[string]string{"a": v1}},
			Custom:   map[string]string{"a": v1, "b": v2, v1: v2},
		}
		text, missingText := Render(tmpl, attrs, Text)
		checkMissing(t, text, missingText)
		htm, missingHTML := Render(tmpl, attrs, HTML)
		checkMissing(t, htm, missingHTML)
		if strings.Join(missingText, "\x00") != strings.Join(missingHTML, "\x00") {
			t.Fatalf("missing differs between modes: %q vs %q", missingText, missingHTML)
		}

		if got := strings.Count(htm, "<"); got != strings.Count(tmpl, "<") {
			t.Fatalf("HTML output %q has %d '<', template %q has %d", htm, got, tmpl, strings.Count(tmpl, "<"))
		}
		if !strings.Contains(tmpl, "&") {
			if got := html.UnescapeString(htm); got != text {
				t.Fatalf("unescaped HTML %q != text %q", got, text)
			}
		}

		if !strings.ContainsAny(v1+v2, "{}") {
			for _, c := range []struct {
				mode Mode
				out  string
			}{{Text, text}, {HTML, htm}} {
				again, missingAgain := Render(c.out, attrs, c.mode)
				if again != c.out {
					t.Fatalf("mode %d not idempotent: %q -> %q -> %q", c.mode, tmpl, c.out, again)
				}
				if strings.Join(missingAgain, "\x00") != strings.Join(missingText, "\x00") {
					t.Fatalf("mode %d: missing changed on second render: %q vs %q", c.mode, missingText, missingAgain)
				}
			}
		}
	})
}

func checkMissing(t *testing.T, out string, missing []string) {
	t.Helper()
	seen := make(map[string]bool, len(missing))
	for _, m := range missing {
		if seen[m] {
			t.Fatalf("missing %q reported twice in %q", m, missing)
		}
		seen[m] = true
		if !strings.HasPrefix(m, "Attributes.") || !strings.Contains(out, m) {
			t.Fatalf("missing %q not in output %q", m, out)
		}
	}
}
