// Package clients_test runs clients/scenarios.json through three AWS
// clients — aws-sdk-go-v2, the AWS SDK for JavaScript v3 and boto3 (the
// library under the aws CLI) — against one connectmail, and fails if any
// client sees a different outcome of any step. See clients/README.md.
package clients_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/connectmail/connectmail/server/servertest"
	"github.com/connectmail/connectmail/smtpsink"
)

// errorTypes are the error codes the scenarios must exercise: every
// exception connectmail's Connect API answers with, and the protocol's own.
var errorTypes = []string{
	"ResourceNotFoundException", "InvalidRequestException", "InvalidParameterException",
	"DuplicateResourceException", "ResourceConflictException", "IdempotencyException",
	"ServiceQuotaExceededException", "ContactNotFoundException", "AccessDeniedException",
	"ThrottlingException", "InternalServiceException", "NotImplementedException",
	"UnrecognizedClientException", "InvalidSignatureException",
}

func loadScenarios(t *testing.T) *scenarioDoc {
	t.Helper()
	b, err := os.ReadFile("scenarios.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc scenarioDoc
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("scenarios.json: %v", err)
	}
	return &doc
}

// startServer runs connectmail with fault injection, a credentials file
// with a restricted key, and a real SMTP receiver.
func startServer(t *testing.T, doc *scenarioDoc) string {
	t.Helper()
	sink := servertest.Sink(t, smtpsink.Options{})
	dir := t.TempDir()
	def, ro := doc.Credentials["default"], doc.Credentials["readonly"]
	creds := fmt.Sprintf(`{"keys": [{"accessKeyId": %q, "secretAccessKey": %q},
 {"accessKeyId": %q, "secretAccessKey": %q, "allow": ["connect:Describe*"]}]}`, def[0], def[1], ro[0], ro[1])
	if err := os.WriteFile(filepath.Join(dir, "credentials.json"), []byte(creds), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := servertest.Config(t)
	cfg.SMTPRelay = sink.URL()
	cfg.CredentialsFile = filepath.Join(dir, "credentials.json")
	cfg.FaultInjection = true
	return servertest.Start(t, cfg).URL
}

// runJS runs clients/js/scenarios.test.mjs; ok is false when node or the
// SDK is not installed.
func runJS(t *testing.T, endpoint, run string) (res results, ok bool, err error) {
	node, lerr := exec.LookPath("node")
	if lerr != nil {
		return res, false, errors.New("node is not installed")
	}
	for _, pkg := range []string{"client-connect", "client-qconnect"} {
		if _, serr := os.Stat(filepath.Join("js", "node_modules", "@aws-sdk", pkg)); serr != nil {
			return res, false, fmt.Errorf("@aws-sdk/%s is not installed (run npm ci in clients/js)", pkg)
		}
	}
	file := filepath.Join(t.TempDir(), "js.json")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "--test", "--test-reporter=spec", "scenarios.test.mjs")
	cmd.Dir = "js"
	cmd.Env = append(os.Environ(), "CONNECTMAIL_ENDPOINT="+endpoint, "CONNECTMAIL_SCENARIO_RUN="+run, "CONNECTMAIL_SCENARIO_RESULTS="+file)
	out, cerr := cmd.CombinedOutput()
	if cerr != nil {
		t.Errorf("the JS SDK's expectations failed (node --test scenarios.test.mjs): %v\n%s", cerr, out)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return res, true, fmt.Errorf("no JS results: %v\n%s", err, out)
	}
	err = json.Unmarshal(b, &res)
	return res, true, err
}

// runPython runs clients/python/scenarios.py through boto3, or through the
// aws CLI's driver when cli is set; ok is false when python3, boto3 or the
// CLI is not installed.
func runPython(endpoint, run string, cli bool) (res results, ok bool, err error) {
	py, lerr := exec.LookPath("python3")
	if lerr != nil {
		return res, false, errors.New("python3 is not installed")
	}
	if out, cerr := exec.Command(py, "-c", "import boto3").CombinedOutput(); cerr != nil {
		return res, false, fmt.Errorf("boto3 is not installed: %s", strings.TrimSpace(string(out)))
	}
	args := []string{filepath.Join("python", "scenarios.py"), endpoint, run, "scenarios.json"}
	if cli {
		if out, cerr := exec.Command(py, "-c", "import awscli.clidriver").CombinedOutput(); cerr != nil {
			return res, false, fmt.Errorf("the aws CLI (awscli) is not installed: %s", strings.TrimSpace(string(out)))
		}
		args = append(args, "--cli")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, py, args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, cerr := cmd.Output()
	if cerr != nil {
		return res, true, fmt.Errorf("python3 scenarios.py: %v\n%s", cerr, stderr.String())
	}
	err = json.Unmarshal(out, &res)
	return res, true, err
}

// TestScenariosAgree runs the scenarios through the three clients at once
// and compares every step's outcome; it also checks the Go outcomes against
// the scenarios' expectations, that every error type was seen, and that a
// campaign send whose response was lost was delivered once.
func TestScenariosAgree(t *testing.T) {
	doc := loadScenarios(t)
	endpoint := startServer(t, doc)
	tag := fmt.Sprintf("%06x", rand.IntN(1<<24))
	runs := map[string]string{"go": "go" + tag, "js": "js" + tag, "python": "py" + tag, "cli": "cl" + tag}

	var wg sync.WaitGroup
	var goRes, jsRes, pyRes, cliRes results
	var jsOK, pyOK, cliOK bool
	var jsErr, pyErr, cliErr error
	wg.Add(4)
	go func() { defer wg.Done(); goRes = runGo(context.Background(), endpoint, runs["go"], doc) }()
	go func() { defer wg.Done(); jsRes, jsOK, jsErr = runJS(t, endpoint, runs["js"]) }()
	go func() { defer wg.Done(); pyRes, pyOK, pyErr = runPython(endpoint, runs["python"], false) }()
	go func() { defer wg.Done(); cliRes, cliOK, cliErr = runPython(endpoint, runs["cli"], true) }()
	wg.Wait()

	t.Run("go expectations", func(t *testing.T) { checkExpectations(t, doc, goRes) })
	t.Run("error types", func(t *testing.T) {
		seen := map[string]bool{}
		for _, r := range goRes.Results {
			seen[r.Outcome.Error] = true
		}
		for _, e := range errorTypes {
			if !seen[e] {
				t.Errorf("no scenario step answers %s", e)
			}
		}
	})
	for _, c := range []struct {
		name string
		res  results
		ok   bool
		err  error
	}{{"js", jsRes, jsOK, jsErr}, {"python", pyRes, pyOK, pyErr}, {"cli", cliRes, cliOK, cliErr}} {
		t.Run(c.name+" agrees with go", func(t *testing.T) {
			if !c.ok {
				t.Skipf("the %s half cannot run: %v", c.name, c.err)
			}
			if c.err != nil {
				t.Fatal(c.err)
			}
			compare(t, doc, goRes, c.res)
		})
	}
	t.Run("lost campaign responses deliver once", func(t *testing.T) {
		i := -1
		for j, sc := range doc.Scenarios {
			if sc.Name == "retries and idempotency tokens" {
				i = j
			}
		}
		if i < 0 {
			t.Fatal("no retries scenario")
		}
		clients := []string{"go"}
		if jsOK {
			clients = append(clients, "js")
		}
		if pyOK {
			clients = append(clients, "python")
		}
		for _, c := range clients {
			addr := fmt.Sprintf("campaign@%s%02d.example.org", runs[c], i)
			if n := countMessages(t, endpoint, doc, addr); n != 1 {
				t.Errorf("%s: %d contacts for %s, want exactly 1", c, n, addr)
			}
		}
	})
}

func checkExpectations(t *testing.T, doc *scenarioDoc, res results) {
	byStep := map[string]outcome{}
	for _, r := range res.Results {
		byStep[r.Scenario+"/"+r.Step] = r.Outcome
	}
	for _, sc := range doc.Scenarios {
		for _, st := range sc.Steps {
			o, ok := byStep[sc.Name+"/"+st.Name]
			key := sc.Name + " / " + st.Name
			if !ok {
				t.Errorf("%s: no outcome", key)
				continue
			}
			e := st.Expect
			switch {
			case e.Error != "" && o.Error != e.Error:
				t.Errorf("%s: error %q (%s), want %s", key, o.Error, o.Message, e.Error)
			case e.Error == "" && !o.OK:
				t.Errorf("%s: failed with %s: %s", key, o.Error, o.Message)
			}
			if e.Status != 0 && o.Status != e.Status {
				t.Errorf("%s: status %d, want %d", key, o.Status, e.Status)
			}
			if e.Attempts != 0 && o.Attempts != e.Attempts {
				t.Errorf("%s: %d attempts, want %d", key, o.Attempts, e.Attempts)
			}
			for path, want := range e.Values {
				if got := o.Values[path]; !reflect.DeepEqual(lowerKeys(got), lowerKeys(want)) {
					t.Errorf("%s: %s = %#v, want %#v", key, path, got, want)
				}
			}
		}
	}
}

func compare(t *testing.T, doc *scenarioDoc, want, got results) {
	for _, d := range diff(doc, want, got) {
		t.Error(d)
	}
}

// diff lists the steps whose outcome differs between two clients' results.
func diff(doc *scenarioDoc, want, got results) []string {
	var out []string
	theirs := map[string]outcome{}
	for _, r := range got.Results {
		theirs[r.Scenario+"/"+r.Step] = r.Outcome
	}
	n := 0
	for _, r := range want.Results {
		o, ok := theirs[r.Scenario+"/"+r.Step]
		if !ok {
			out = append(out, fmt.Sprintf("%s / %s: %s has no outcome", r.Scenario, r.Step, got.Client))
			continue
		}
		n++
		mine := r.Outcome
		if o.Compare != nil {
			// The aws CLI reports neither status nor attempts nor an
			// error's members, and marks the steps it cannot reproduce.
			if !*o.Compare {
				continue
			}
			mine.Status, mine.Attempts = 0, 0
			if !mine.OK {
				mine.Values = nil
			}
		}
		if a, b := canonical(mine), canonical(o); a != b {
			out = append(out, fmt.Sprintf("%s / %s:\n%8s: %s\n%8s: %s", r.Scenario, r.Step, want.Client, a, got.Client, b))
		}
	}
	steps := 0
	for _, sc := range doc.Scenarios {
		steps += len(sc.Steps)
	}
	if n != steps {
		out = append(out, fmt.Sprintf("%s: compared %d of %d steps", got.Client, n, steps))
	}
	return out
}

// TestDiff checks that the comparison notices every kind of difference.
func TestDiff(t *testing.T) {
	doc := &scenarioDoc{Scenarios: []scenario{{Name: "s", Steps: []step{{Name: "a"}, {Name: "b"}}}}}
	base := func() results {
		return results{Client: "go", Results: []result{
			{Scenario: "s", Step: "a", Outcome: outcome{OK: true, Status: 200, Attempts: 1, Values: map[string]any{"Tags": map[string]any{"k": "v"}, "At": "<timestamp>"}}},
			{Scenario: "s", Step: "b", Outcome: outcome{Error: "ResourceNotFoundException", Message: "no", Status: 404, Attempts: 1, Values: map[string]any{}}},
		}}
	}
	no := false
	for _, tc := range []struct {
		name   string
		change func(r *results)
		diffs  int
	}{
		{"same", func(*results) {}, 0},
		{"field names differ only in case", func(r *results) {
			r.Results[0].Outcome.Values["Tags"] = map[string]any{"K": "v"}
		}, 0},
		{"status", func(r *results) { r.Results[1].Outcome.Status = 400 }, 1},
		{"attempts", func(r *results) { r.Results[0].Outcome.Attempts = 2 }, 1},
		{"error code", func(r *results) { r.Results[1].Outcome.Error = "InvalidRequestException" }, 1},
		{"message", func(r *results) { r.Results[1].Outcome.Message = "No" }, 1},
		{"value", func(r *results) { r.Results[0].Outcome.Values["At"] = "2024-01-01T00:00:00Z" }, 1},
		{"tag value", func(r *results) { r.Results[0].Outcome.Values["Tags"] = map[string]any{"k": "w"} }, 1},
		{"missing step", func(r *results) { r.Results = r.Results[:1] }, 2},
		{"cli without status", func(r *results) {
			yes := true
			r.Results[0].Outcome.Status, r.Results[0].Outcome.Attempts, r.Results[0].Outcome.Compare = 0, 0, &yes
		}, 0},
		{"cli step not comparable", func(r *results) {
			r.Results[1].Outcome = outcome{OK: true, Compare: &no}
		}, 0},
	} {
		got := base()
		got.Client = "other"
		tc.change(&got)
		if d := diff(doc, base(), got); len(d) != tc.diffs {
			t.Errorf("%s: %d differences, want %d: %q", tc.name, len(d), tc.diffs, d)
		}
	}
}

// countMessages counts the contacts the inspection API lists for an address.
func countMessages(t *testing.T, endpoint string, doc *scenarioDoc, address string) int {
	t.Helper()
	req, _ := http.NewRequest("GET", endpoint+"/api/v1/messages?address="+url.QueryEscape(address), nil)
	k := doc.Credentials["default"]
	req.SetBasicAuth(k[0], k[1])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var page struct {
		Messages []json.RawMessage `json:"messages"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&page); err != nil || resp.StatusCode != 200 {
		t.Fatalf("inspection API: %d %v", resp.StatusCode, err)
	}
	return len(page.Messages)
}
