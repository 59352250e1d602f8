package main

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

const uuidRE = `[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}`

func TestEffectivePattern(t *testing.T) {
	for _, tc := range []struct {
		service, shape, botocore, want string
	}{
		// Smithy forms (aws/api-models-aws) of the botocore patterns.
		{"connect", "EmailAddress", `[^\s@]+@[^\s@]+\.[^\s@]+`, `^[^\s@]+@[^\s@]+\.[^\s@]+$`},
		{"connect", "ReferenceArn", `^[-:/A-Za-z0-9]+`, `^[-:/A-Za-z0-9]+$`},
		{"qconnect", "Uuid", uuidRE, "^" + uuidRE + "$"},
		{"qconnect", "UuidOrArn", uuidRE + `$|^arn:[a-z-]*?:wisdom:x`, "^" + uuidRE + `$|^arn:[a-z-]*?:wisdom:x$`},
		{"qconnect", "Name", `[a-zA-Z0-9\s_.,-]+.*`, `^[a-zA-Z0-9\s_.,-]+`},
		{"qconnect", "EmailHeaderValue", `.*[ -~]*.*`, `[ -~]*`},
		{"qconnect", "WhatsAppBusinessAccountId", `.*(^waba-[0-9a-zA-Z]+$)|(^arn:.*:waba/[0-9a-zA-Z]+$).*`, `(^waba-[0-9a-zA-Z]+$)|(^arn:.*:waba/[0-9a-zA-Z]+$)`},
		{"qconnect", "TagKey", `(?!aws:)[a-zA-Z+-=._:/]+`, `^(?!aws:)[a-zA-Z+-=._:/]+$`},
		// Already anchored: taken verbatim, no row needed.
		{"connect", "TagKey", `^(?!aws:)[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`, `^(?!aws:)[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`},
		{"connect", "X", `^a$|^b$`, `^a$|^b$`},
	} {
		got, err := effectivePattern(tc.service, tc.shape, tc.botocore, map[string]bool{})
		if err != nil || got != tc.want {
			t.Errorf("%s %s: got %q, %v; want %q", tc.service, tc.shape, got, err, tc.want)
		}
	}
	for _, tc := range []struct{ service, shape, botocore, msg string }{
		{"connect", "Unknown", `[a-z]+`, "not anchored at both ends"},
		{"connect", "Unknown", `^a$|b`, "not anchored at both ends"},
		{"connect", "Unknown", `^a\$`, "not anchored at both ends"},
		{"connect", "EmailAddress", `^[^\s@]+@[^\s@]+\.[^\s@]+$`, "remove its row"},
	} {
		_, err := effectivePattern(tc.service, tc.shape, tc.botocore, map[string]bool{})
		if err == nil || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s %q: error %v, want %q", tc.shape, tc.botocore, err, tc.msg)
		}
	}
}

func TestTranslate(t *testing.T) {
	for _, tc := range []struct {
		in       string
		prefixes []string
		re2      string
	}{
		{`^(?!aws:)[a-z]+$`, []string{"aws:"}, `^[a-z]+$`},
		{`^(?!d-)([\da-zA-Z]+)$`, []string{"d-"}, `^([\da-zA-Z]+)$`},
		{`^(?!aws:|connect:)(?!x\.)[a-z]*$`, []string{"aws:", "connect:", "x."}, `^[a-z]*$`},
		{`^a.b$`, nil, `^a` + ecmaDot + `b$`},
		{`[.]`, nil, `[.]`},
		{`^[^\s@]+$`, nil, `^[^` + ecmaSpace + `@]+$`},
		{`\s`, nil, `[` + ecmaSpace + `]`},
		{`\S`, nil, `[^` + ecmaSpace + `]`},
		{`[\S]`, nil, `[^` + ecmaSpace + `]`},
		{`\u00e9\u{1F600}\x41`, nil, `\x{00e9}\x{1F600}\x41`},
		{`^\P{C}*$`, nil, `^\P{C}*$`},
		{`(?:a)(?<n>b)\0`, nil, `(?:a)(?P<n>b)\x00`},
		{`[\-\/]\$`, nil, `[\-\/]\$`},
	} {
		got, err := translate(tc.in)
		if err != nil {
			t.Errorf("%s: %v", tc.in, err)
			continue
		}
		if got.source != tc.in || got.re2 != tc.re2 || !slices.Equal(got.notPrefixes, tc.prefixes) {
			t.Errorf("%s: got %+v, want prefixes %v re2 %s", tc.in, got, tc.prefixes, tc.re2)
		}
	}
	for _, bad := range []string{
		`a(?!b)c`, `(?=a)`, `(?<=a)b`, `(?<!a)b`, `(a)\1`, `\k<n>`, `[\Sa]`, `[\b]`, `\cA`, `\q`,
		`[]`, `[^]`, `[a`, `^(?![a-z])x`, `^(?!a)b|c`, `^(?!a`, `a{1001}`, `\`,
	} {
		if tr, err := translate(bad); err == nil {
			t.Errorf("%s: translated to %+v, want an error", bad, tr)
		}
	}
}

// TestECMASemantics checks the translated classes on the characters where
// ECMA-262 and RE2 differ.
func TestECMASemantics(t *testing.T) {
	compile := func(p string) *regexp.Regexp {
		tr, err := translate(p)
		if err != nil {
			t.Fatal(err)
		}
		return regexp.MustCompile(tr.re2)
	}
	space := compile(`^\s$`)
	for _, s := range []string{" ", "\t", "\v", "\u00a0", "\u2028", "\ufeff", "\u3000"} {
		if !space.MatchString(s) {
			t.Errorf(`\s does not match %q`, s)
		}
	}
	for _, s := range []string{"a", "\u200b", "_"} {
		if space.MatchString(s) {
			t.Errorf(`\s matches %q`, s)
		}
	}
	dot := compile(`^.$`)
	for _, s := range []string{"\n", "\r", "\u2028", "\u2029"} {
		if dot.MatchString(s) {
			t.Errorf(". matches %q", s)
		}
	}
	if !dot.MatchString("\u0085") || !dot.MatchString("\v") {
		t.Error(". must match NEL and VT")
	}
}

// TestGenerateFailsLoudly runs the generator on small models that carry
// what it must not drop silently.
func TestGenerateFailsLoudly(t *testing.T) {
	const paginators = `{"pagination": {}}`
	model := func(pattern, extraTrait, location string) string {
		return `{"metadata": {"protocol": "rest-json", "signingName": "t"},
		"operations": {"Op": {"name": "Op", "http": {"method": "POST", "requestUri": "/op"}, "input": {"shape": "In"}}},
		"shapes": {
			"In": {"type": "structure", "members": {"A": {"shape": "S"` + location + `}}},
			"S": {"type": "string", "pattern": ` + pattern + extraTrait + `}
		}}`
	}
	for _, tc := range []struct {
		name, model, msg string
	}{
		{"lookbehind", model(`"^(?<=a)b$"`, "", ""), "lookaround"},
		{"unanchored", model(`"[a-z]+"`, "", ""), "anchorOverrides"},
		{"unknown shape trait", model(`"^a$"`, `, "xmlAttribute": true`, ""), `trait "xmlAttribute"`},
		{"unknown location", model(`"^a$"`, "", `, "location": "statusCode"`), `location "statusCode"`},
		{"unknown member trait", model(`"^a$"`, "", `, "jsonvalue": true`), `trait "jsonvalue"`},
		{"ok", model(`"^a$"`, "", ""), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			write := func(name, data string) {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			write("m.json", tc.model)
			write("p.json", paginators)
			spec := serviceSpec{name: "test", model: "m.json", paginators: "p.json", supported: []string{"Op"}}
			src, err := generate(spec, dir)
			if tc.msg == "" {
				if err != nil || !strings.Contains(string(src), "supported: true") {
					t.Fatalf("generate: %v\n%s", err, src)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("error %v, want one containing %q", err, tc.msg)
			}
		})
	}
}
