package awsapi

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/connectmail/connectmail/connect"
	"github.com/connectmail/connectmail/sqlite"
)

// plainComposer stands in for MIME composition, which these tests do not look at.
type plainComposer struct{}

func (plainComposer) Compose(*connect.Draft) ([]byte, error) {
	return []byte("Subject: x\r\n\r\nx\r\n"), nil
}

// call runs one operation through svc's handler as the server does: the
// body and labels bound, validated and decoded.
func call(t *testing.T, svc *Service, method, path, body string) (any, error) {
	t.Helper()
	op, labels, ok := svc.Model.Match(method, path)
	if !ok {
		t.Fatalf("no operation at %s %s", method, path)
	}
	doc, err := svc.Model.Bind(op, labels, nil, nil, []byte(body))
	if err == nil {
		err = svc.Model.Validate(op.Input, doc)
	}
	if err != nil {
		t.Fatalf("%s: %v", op.Name, err)
	}
	return svc.Handlers[op.Name](context.Background(), &Call{Op: op, Labels: labels, Doc: doc})
}

// TestKeptContactReadsLikeStored: what a kept contact answers is what the
// stored contact answers, field for field.
func TestKeptContactReadsLikeStored(t *testing.T) {
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "c.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	keptSvc := connect.NewService(connect.Config{AccountID: "123456789012", Store: st, Composer: plainComposer{}})
	kept := ConnectService(keptSvc)
	stored := ConnectService(connect.NewService(connect.Config{AccountID: "123456789012", Store: st, Composer: plainComposer{}, CacheFor: -1}))
	ctx := context.Background()
	inst, err := keptSvc.CreateInstance(ctx, &connect.CreateInstanceInput{IdentityManagementType: "CONNECT_MANAGED"})
	if err != nil {
		t.Fatal(err)
	}
	inputs := []string{
		`{"Channel":"EMAIL","InitiationMethod":"FLOW"}`,
		`{"Channel":"EMAIL","InitiationMethod":"FLOW","Attributes":{},"SegmentAttributes":null,"ExpiryDurationInMinutes":90}`,
		`{"Channel":"EMAIL","InitiationMethod":"OUTBOUND","UserInfo":{"UserId":"agent-1"},"Name":"Order 42","Description":"Ünïcode",
		  "Attributes":{"orderId":"42","empty":""},"References":{"site":{"Type":"URL","Value":"https://example.com"}},
		  "SegmentAttributes":{"connect:Subtype":{"ValueString":"connect:Email"},"custom":{"ValueString":"x"}}}`,
	}
	var first string
	for i, raw := range inputs {
		var doc map[string]any
		if err := json.Unmarshal([]byte(raw), &doc); err != nil {
			t.Fatal(err)
		}
		doc["InstanceId"] = inst.ID
		if first != "" {
			doc["RelatedContactId"] = first
		}
		body, _ := json.Marshal(doc)
		out, err := call(t, kept, "PUT", "/contact/create-contact", string(body))
		if err != nil {
			t.Fatalf("input %d: %v", i, err)
		}
		id := out.(*createContactOutput).ContactID
		if first == "" {
			first = id
		}
		for _, path := range []string{"/contacts/" + inst.ID + "/" + id, "/contact/attributes/" + inst.ID + "/" + id} {
			a, errA := call(t, kept, "GET", path, "")
			b, errB := call(t, stored, "GET", path, "")
			ja, _ := json.Marshal(a)
			jb, _ := json.Marshal(b)
			if errA != nil || errB != nil || string(ja) != string(jb) {
				t.Errorf("input %d: kept copy answers %s (%v), stored contact %s (%v)", i, ja, errA, jb, errB)
			}
		}
	}
}
