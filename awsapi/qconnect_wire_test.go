package awsapi

import (
	"context"
	"encoding/json"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/connectmail/connectmail/sqlite"
	"github.com/connectmail/connectmail/template"
)

func newTemplateService(t *testing.T, now time.Time, mutate func(*template.Config)) (*template.Service, *sqlite.Store) {
	t.Helper()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "t.db"), sqlite.Options{Synchronous: "OFF"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	cfg := template.Config{AccountID: "123456789012", Stores: st.TemplateStores(), Now: func() time.Time { return now }}
	if mutate != nil {
		mutate(&cfg)
	}
	return template.NewService(cfg), st
}

// wireJSON returns a function that decodes a handler's answer as a client would.
func wireJSON(t *testing.T) func(any, error) map[string]any {
	return func(v any, err error) map[string]any {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(v)
		var m map[string]any
		_ = json.Unmarshal(b, &m)
		return m
	}
}

// TestQConnectTimes: qconnect responses carry knowledge base times as epoch
// seconds, template times as ISO 8601 with milliseconds, and attachment
// URLs on the server's base URL, signed until their urlExpiry (one hour,
// to the second).
func TestQConnectTimes(t *testing.T) {
	now := time.Date(2025, 3, 4, 5, 6, 7, 891654321, time.UTC)
	tsvc, _ := newTemplateService(t, now, nil)
	svc := QConnectService(tsvc, func() string { return "http://cm.test/" })
	kb := wireJSON(t)(call(t, svc, "POST", "/knowledgeBases", `{"name":"kb","knowledgeBaseType":"MESSAGE_TEMPLATES"}`))["knowledgeBase"].(map[string]any)
	if got := kb["lastContentModificationTime"]; got != 1741064767.891 {
		t.Errorf("lastContentModificationTime = %v", got)
	}
	kbID := kb["knowledgeBaseId"].(string)
	tm := wireJSON(t)(call(t, svc, "POST", "/knowledgeBases/"+kbID+"/messageTemplates",
		`{"name":"t","channelSubtype":"EMAIL","content":{"email":{"subject":"s","body":{"plainText":{"content":"x"}}}}}`))["messageTemplate"].(map[string]any)
	if tm["createdTime"] != "2025-03-04T05:06:07.891Z" || tm["lastModifiedTime"] != tm["createdTime"] {
		t.Errorf("times = %v %v", tm["createdTime"], tm["lastModifiedTime"])
	}
	a := wireJSON(t)(call(t, svc, "POST", "/knowledgeBases/"+kbID+"/messageTemplates/"+tm["messageTemplateId"].(string)+"/attachments",
		`{"contentDisposition":"ATTACHMENT","name":"terms.pdf","body":"JVBERi0xLjQ="}`))["attachment"].(map[string]any)
	u, err := url.Parse(a["url"].(string))
	if err != nil || u.Scheme+"://"+u.Host+u.Path != "http://cm.test/api/v1/template-attachments/"+a["attachmentId"].(string) ||
		u.Query().Get("expires") != "1741068367" || u.Query().Get("signature") == "" ||
		a["uploadedTime"] != "2025-03-04T05:06:07.891Z" || a["urlExpiry"] != "2025-03-04T06:06:07.000Z" {
		t.Errorf("attachment = %v", a)
	}
}

// replayingTemplateStore answers CreateKnowledgeBase as a store holding an
// idempotency record for it does.
type replayingTemplateStore struct {
	template.KnowledgeBaseStore
	response []byte
	idem     *template.Idem
}

func (s *replayingTemplateStore) CreateKnowledgeBase(_ context.Context, _ *template.KnowledgeBase, _ int, idem *template.Idem) error {
	s.idem = idem
	return &template.Replayed{Response: s.response}
}

// TestQConnectIdempotencyRecordsOfEarlierVersions: a CreateKnowledgeBase
// hashes its request as earlier versions did, and a record they stored
// (the wire response, with epoch seconds) answers a retry with the
// knowledge base it names.
func TestQConnectIdempotencyRecordsOfEarlierVersions(t *testing.T) {
	now := time.Date(2025, 3, 4, 5, 6, 7, 891e6, time.UTC)
	tsvc, st := newTemplateService(t, now, nil)
	first := wireJSON(t)(call(t, QConnectService(tsvc, nil), "POST", "/knowledgeBases", `{"name":"kb","knowledgeBaseType":"MESSAGE_TEMPLATES"}`))
	id := first["knowledgeBase"].(map[string]any)["knowledgeBaseId"].(string)
	legacy := `{"knowledgeBase":{"knowledgeBaseId":"` + id + `","knowledgeBaseArn":"arn:aws:wisdom:us-east-1:123456789012:knowledge-base/` + id +
		`","name":"kb","knowledgeBaseType":"MESSAGE_TEMPLATES","status":"ACTIVE","lastContentModificationTime":1741064767.891}}`
	rs := &replayingTemplateStore{KnowledgeBaseStore: st, response: []byte(legacy)}
	stores := st.TemplateStores()
	stores.KnowledgeBases = rs
	svc := QConnectService(template.NewService(template.Config{AccountID: "123456789012", Stores: stores, Now: func() time.Time { return now }}), nil)
	got := wireJSON(t)(call(t, svc, "POST", "/knowledgeBases",
		`{"clientToken":"tok","name":"kb2","knowledgeBaseType":"MESSAGE_TEMPLATES","description":"d","tags":{"a":"b"},"serverSideEncryptionConfiguration":{"kmsKeyId":"k"}}`))
	if rs.idem == nil || rs.idem.Hash != "789d2ec37744ebfa9beb3790fb80336621ead2a646a17191539bf85bc9de539f" {
		t.Errorf("idempotency record %+v", rs.idem)
	}
	if a, b := mustJSON(first), mustJSON(got); a != b {
		t.Errorf("replay answers %s, want %s", b, a)
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return strings.TrimSpace(string(b))
}
