package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/connect"
)

// TestSuppressionListAPI edits the suppression list through the inspection
// API and checks that a send to a listed address is recorded as suppressed
// and never attempted, and that removing it lets mail through again.
func TestSuppressionListAPI(t *testing.T) {
	t.Parallel()
	h := startServer(t, nil)
	ctx := context.Background()
	do := func(method, path, body string) *http.Response {
		req, _ := http.NewRequest(method, h.url+path, strings.NewReader(body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	if r := do("PUT", "/api/v1/suppressions/customer@example.org", `{"reason":"asked to stop"}`); r.StatusCode != 200 {
		t.Fatalf("PUT: %d", r.StatusCode)
	}
	if r := do("PUT", "/api/v1/suppressions/not-an-address", ``); r.StatusCode != 400 {
		t.Fatalf("PUT bad address: %d", r.StatusCode)
	}
	r := do("GET", "/api/v1/suppressions", "")
	var list struct {
		Suppressions []struct{ Address, Reason string } `json:"suppressions"`
	}
	_ = json.NewDecoder(r.Body).Decode(&list)
	r.Body.Close()
	if len(list.Suppressions) != 1 || list.Suppressions[0].Address != "customer@example.org" || list.Suppressions[0].Reason != "asked to stop" {
		t.Fatalf("list: %+v", list)
	}
	inst := h.setup(ctx)
	state := func(cid string) string {
		for i := 0; i < 200; i++ {
			d, err := h.client.DescribeContact(ctx, &connect.DescribeContactInput{InstanceId: aws.String(inst), ContactId: aws.String(cid)})
			if err != nil {
				t.Fatal(err)
			}
			if reason := aws.ToString(d.Contact.DisconnectReason); reason != "" {
				return reason
			}
			time.Sleep(20 * time.Millisecond)
		}
		return ""
	}
	cid := h.newContact(ctx, inst)
	if _, err := h.client.StartOutboundEmailContact(ctx, sendInput(inst, cid)); err != nil {
		t.Fatal(err)
	}
	if got := state(cid); got != "EMAIL_SUPPRESSED" {
		t.Fatalf("reason %q, want EMAIL_SUPPRESSED", got)
	}
	if h.sink.Count() != 0 {
		t.Fatal("a suppressed destination was relayed")
	}
	if r := do("DELETE", "/api/v1/suppressions/customer@example.org", ""); r.StatusCode != 204 {
		t.Fatalf("DELETE: %d", r.StatusCode)
	}
	if r := do("DELETE", "/api/v1/suppressions/customer@example.org", ""); r.StatusCode != 404 {
		t.Fatalf("second DELETE: %d", r.StatusCode)
	}
	cid2 := h.newContact(ctx, inst)
	if _, err := h.client.StartOutboundEmailContact(ctx, sendInput(inst, cid2)); err != nil {
		t.Fatal(err)
	}
	if got := state(cid2); got != "EMAIL_DELIVERED" {
		t.Fatalf("after removal: %q", got)
	}
}
