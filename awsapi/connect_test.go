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
	keptSvc := connect.NewService(connect.Config{AccountID: "123456789012", Stores: connect.StoresOf(st), Composer: plainComposer{}})
	kept := ConnectService(keptSvc)
	stored := ConnectService(connect.NewService(connect.Config{AccountID: "123456789012", Stores: connect.StoresOf(st), Composer: plainComposer{}, CacheFor: -1}))
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

// replayingStore answers creates and sends as a store holding an
// idempotency record for them does, and keeps the record it was given.
type replayingStore struct {
	*sqlite.Store
	response []byte
	idem     *connect.Idem
}

func (s *replayingStore) CreateContact(_ context.Context, _ *connect.Contact, _ []connect.Event, idem *connect.Idem) error {
	s.idem = idem
	return &connect.Replayed{Response: s.response}
}

func (s *replayingStore) StartOutbound(_ context.Context, o *connect.Outbound) error {
	s.idem = o.Idem
	return &connect.Replayed{Response: s.response}
}

// TestIdempotencyRecordsOfEarlierVersions: the records that earlier
// versions stored (request hashes of their wire inputs, responses in their
// wire member names) still identify and answer retries. The hashes and
// responses were produced by the version before the wire shapes left the
// domain.
func TestIdempotencyRecordsOfEarlierVersions(t *testing.T) {
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "c.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	if err := st.CreateInstance(ctx, &connect.Instance{ID: "i-1", ARN: "arn:aws:connect:us-east-1:123456789012:instance/i-1",
		IdentityManagementType: "CONNECT_MANAGED", Status: "ACTIVE"}, nil); err != nil {
		t.Fatal(err)
	}
	if err := st.CreateEmailAddress(ctx, &connect.EmailAddress{ID: "e-1", ARN: "arn:e-1", InstanceID: "i-1", Address: "support@example.com"}); err != nil {
		t.Fatal(err)
	}
	if err := st.CreateContact(ctx, &connect.Contact{ID: "c-1", ARN: "arn:c-1", InstanceID: "i-1", Channel: "EMAIL",
		InitiationMethod: "OUTBOUND", AgentID: "agent", State: connect.StateCreated}, nil, nil); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path, body, response, hash, want string
	}{
		{"/contact/create-contact",
			`{"InstanceId":"i-1","ClientToken":"tok","Channel":"EMAIL","InitiationMethod":"OUTBOUND","UserInfo":{"UserId":"agent"},"Attributes":{"a":"1"},` +
				`"References":{"r":{"Type":"URL","Value":"https://example.com"}},"SegmentAttributes":{"connect:Subtype":{"ValueString":"connect:Email"}}}`,
			`{"ContactId":"c-9","ContactArn":"arn:c-9"}`,
			"c02423a049bde7a1c4641fcf46886efef7a582df7eaa487a878c619c6023bb07",
			`{"ContactId":"c-9","ContactArn":"arn:c-9"}`},
		{"/contact/outbound-email",
			`{"InstanceId":"i-1","ContactId":"c-1","ClientToken":"tok","FromEmailAddress":{"EmailAddress":"support@example.com"},` +
				`"DestinationEmailAddress":{"EmailAddress":"customer@example.org","DisplayName":"Ana"},` +
				`"EmailMessage":{"MessageSourceType":"RAW","RawMessage":{"Subject":"s","Body":"b","ContentType":"text/plain"}}}`,
			`{"ContactId":"c-1"}`,
			"1b83061834b891af1901e893a1f3d23b206fb0e52eb76a2e4386ac6a4ba59dcf",
			`{"ContactId":"c-1"}`},
	} {
		rs := &replayingStore{Store: st, response: []byte(tc.response)}
		svc := ConnectService(connect.NewService(connect.Config{AccountID: "123456789012", Stores: connect.StoresOf(rs), Composer: plainComposer{}, CacheFor: -1}))
		out, err := call(t, svc, "PUT", tc.path, tc.body)
		if err != nil {
			t.Fatalf("%s: %v", tc.path, err)
		}
		if rs.idem == nil || rs.idem.Hash != tc.hash || rs.idem.Token != "tok" {
			t.Errorf("%s: idempotency record %+v, want token tok and hash %s", tc.path, rs.idem, tc.hash)
		}
		if b, _ := json.Marshal(out); string(b) != tc.want {
			t.Errorf("%s: replay answers %s, want %s", tc.path, b, tc.want)
		}
	}
}

// TestSegmentAttributesEcho: DescribeContact answers the segment attributes
// a contact was created with, values as given (empty maps and lists too),
// with the system attributes connect:Subtype (unless given),
// connect:Direction and connect:EmailSubject added.
func TestSegmentAttributesEcho(t *testing.T) {
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "c.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	csvc := connect.NewService(connect.Config{AccountID: "123456789012", Stores: connect.StoresOf(st), Composer: plainComposer{}})
	svc := ConnectService(csvc)
	inst, err := csvc.CreateInstance(context.Background(), &connect.CreateInstanceInput{IdentityManagementType: "CONNECT_MANAGED"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ given, want string }{
		{``, `{"connect:Direction":{"ValueString":"OUTBOUND"},"connect:Subtype":{"ValueString":"connect:Email"}}`},
		{`,"SegmentAttributes":{}`, `{"connect:Direction":{"ValueString":"OUTBOUND"},"connect:Subtype":{"ValueString":"connect:Email"}}`},
		{`,"SegmentAttributes":{"connect:Subtype":{"ValueString":"connect:Other"},"a":{"ValueMap":{"m":{"ValueMap":{}},"l":{"ValueList":[{"ValueInteger":0},{"ValueArn":"arn:x"}]},"s":{"ValueString":""}}}}`,
			`{"a":{"ValueMap":{"l":{"ValueList":[{"ValueInteger":0},{"ValueArn":"arn:x"}]},"m":{"ValueMap":{}},"s":{"ValueString":""}}},` +
				`"connect:Direction":{"ValueString":"OUTBOUND"},"connect:Subtype":{"ValueString":"connect:Other"}}`},
	} {
		out, err := call(t, svc, "PUT", "/contact/create-contact", `{"InstanceId":"`+inst.ID+`","Channel":"EMAIL","InitiationMethod":"FLOW"`+tc.given+`}`)
		if err != nil {
			t.Fatal(err)
		}
		d, err := call(t, svc, "GET", "/contacts/"+inst.ID+"/"+out.(*createContactOutput).ContactID, "")
		if err != nil {
			t.Fatal(err)
		}
		got, _ := json.Marshal(d.(*describeContactOutput).Contact.SegmentAttributes)
		if string(got) != tc.want {
			t.Errorf("created with %s: SegmentAttributes %s, want %s", tc.given, got, tc.want)
		}
	}
}
