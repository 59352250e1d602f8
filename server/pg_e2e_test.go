package server_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	"github.com/aws/aws-sdk-go-v2/service/connect/types"
	"github.com/connectmail/connectmail/postgres/pgtest"
	"github.com/connectmail/connectmail/server/servertest"
	"github.com/connectmail/connectmail/smtpsink"
	"github.com/jackc/pgx/v5"
)

// withParams appends query parameters to a postgres:// URL.
func withParams(dsn, params string) string {
	if strings.Contains(dsn, "?") {
		return dsn + "&" + params
	}
	return dsn + "?" + params
}

// sseEvent is one event read from /api/v1/stream.
type sseEvent struct {
	id        int64
	typ       string
	contactID string
	// envelope is the envelope's id (unique across databases), id the
	// event's position in its database's log.
	envelope string
	at       time.Time
}

// followStream reads a node's SSE stream (from its current end) until t ends.
func followStream(t *testing.T, baseURL string) <-chan sseEvent {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, baseURL+"/api/v1/stream", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("stream: %s", resp.Status)
	}
	out := make(chan sseEvent, 4096)
	go func() {
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		var e sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "id: "):
				fmt.Sscan(strings.TrimPrefix(line, "id: "), &e.id)
			case strings.HasPrefix(line, "event: "):
				e.typ = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				var env struct {
					ID     string `json:"id"`
					Detail struct {
						ContactID string `json:"contactId"`
					} `json:"detail"`
				}
				_ = json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &env)
				e.contactID, e.envelope = env.Detail.ContactID, env.ID
			case line == "" && e.id != 0:
				e.at = time.Now()
				select {
				case out <- e:
				case <-ctx.Done():
					return
				}
				e = sseEvent{}
			}
		}
	}()
	return out
}

// hookLog records the event ids a webhook URL receives.
type hookLog struct {
	mu  sync.Mutex
	ids map[int64]int
}

func (h *hookLog) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var id int64
	fmt.Sscan(r.Header.Get("X-Connectmail-Event-Id"), &id)
	h.mu.Lock()
	h.ids[id]++
	h.mu.Unlock()
}

func (h *hookLog) snapshot() map[int64]int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return maps.Clone(h.ids)
}

// TestPostgresTwoNodes runs two connectmail processes on one PostgreSQL
// database behind no load balancer: clients alternate between them request
// by request, one node is killed with SIGKILL mid-run, and the SMTP receiver
// must see every accepted send once (by Message-ID). It also checks that
// concurrent identical ClientTokens sent to both nodes make one send, that
// one node's SSE stream shows the other's events at once, and that each
// event reaches the webhook once per node failure at most.
func TestPostgresTwoNodes(t *testing.T) {
	dsn := withParams(pgtest.NewDatabase(t), "connectmail_heartbeat=500ms&connectmail_node_timeout=3s&pool_max_conns=8")
	sink := servertest.Sink(t, smtpsink.Options{Keep: true})
	hooks := &hookLog{ids: map[int64]int{}}
	hookSrv := httptest.NewServer(hooks)
	defer hookSrv.Close()
	args := []string{"--db", dsn, "--smtp-relay", sink.URL(), "--retry-base", "200ms", "--webhook", hookSrv.URL, "--webhook-secret", "s3cret"}
	nodes := []*proc{startProc(t, args...), startProc(t, args...)}
	clients := []*connect.Client{nodes[0].client(), nodes[1].client()}
	defer func() {
		if t.Failed() {
			for i, n := range nodes {
				n.mu.Lock()
				t.Logf("node %d log:\n%s", i, n.logs.String())
				n.mu.Unlock()
			}
		}
	}()
	ctx := context.Background()
	inst := (&harness{t: t, client: clients[0]}).setup(ctx)
	var sent []string // every contact whose send was accepted

	// 1. Node B's event stream shows what node A commits, at once (LISTEN/NOTIFY, not the 1s poll).
	stream := followStream(t, nodes[1].url)
	var lat []time.Duration
	for range 7 {
		cid := (&harness{t: t, client: clients[0]}).newContact(ctx, inst)
		start := time.Now()
		if _, err := clients[0].StartOutboundEmailContact(ctx, sendInput(inst, cid)); err != nil {
			t.Fatal(err)
		}
		sent = append(sent, cid)
		deadline := time.After(10 * time.Second)
	wait:
		for {
			select {
			case e := <-stream:
				if e.contactID == cid && e.typ == "QUEUED" {
					lat = append(lat, e.at.Sub(start))
					break wait
				}
			case <-deadline:
				t.Fatalf("node B's stream never showed node A's QUEUED event for %s", cid)
			}
		}
	}
	slices.Sort(lat)
	t.Logf("node A send -> node B SSE event: median %s, max %s", lat[len(lat)/2], lat[len(lat)-1])
	if lat[len(lat)/2] > 300*time.Millisecond {
		t.Errorf("node B's stream lags node A's commits by a median of %s: cross-node notification is not working", lat[len(lat)/2])
	}

	// 2. Concurrent identical ClientTokens on both nodes: one send.
	cid := (&harness{t: t, client: clients[1]}).newContact(ctx, inst)
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			in := sendInput(inst, cid)
			in.ClientToken = aws.String("same-token-" + cid)
			out, err := clients[i%2].StartOutboundEmailContact(ctx, in)
			if err == nil && aws.ToString(out.ContactId) != cid {
				err = fmt.Errorf("ContactId %s", aws.ToString(out.ContactId))
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("identical send %d (node %d): %v", i, i%2, err)
		}
	}
	tokenContact := cid
	sent = append(sent, cid)

	// 3. Load alternating between the nodes; node A is killed mid-run.
	// A request that fails on node A is retried on node B with the same
	// ClientToken, as a client behind a load balancer would: it is then
	// accepted exactly once whether or not node A had committed it.
	const total = 300
	var aDead atomic.Bool
	var accepted atomic.Int64
	var mu sync.Mutex
	var next atomic.Int64
	call := func(prefer int, fn func(c *connect.Client) error) error {
		if prefer == 0 && !aDead.Load() {
			if err := fn(clients[0]); err == nil {
				return nil
			}
		}
		return fn(clients[1])
	}
	var crossNode atomic.Int64
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1)
				if i > total {
					return
				}
				// CreateContact on one node, StartOutboundEmailContact on the other.
				var cid string
				ctok := fmt.Sprintf("create-%d-%d", i, time.Now().UnixNano())
				err := call(int(i%2), func(c *connect.Client) error {
					out, err := c.CreateContact(ctx, &connect.CreateContactInput{InstanceId: aws.String(inst), Channel: types.ChannelEmail,
						InitiationMethod: types.ContactInitiationMethodOutbound, UserInfo: &types.UserInfo{UserId: aws.String("agent-1")},
						ClientToken: aws.String(ctok)})
					if err == nil {
						cid = aws.ToString(out.ContactId)
					}
					return err
				})
				if err != nil {
					t.Errorf("CreateContact %d: %v", i, err)
					return
				}
				in := sendInput(inst, cid)
				in.ClientToken = aws.String("send-" + cid)
				if err := call(int((i+1)%2), func(c *connect.Client) error {
					_, err := c.StartOutboundEmailContact(ctx, in)
					return err
				}); err != nil {
					t.Errorf("StartOutboundEmailContact %d: %v", i, err)
					return
				}
				if !aDead.Load() {
					crossNode.Add(1)
				}
				mu.Lock()
				sent = append(sent, cid)
				mu.Unlock()
				accepted.Add(1)
			}
		}()
	}
	for accepted.Load() < total/2 {
		time.Sleep(2 * time.Millisecond)
	}
	killedAt := time.Now()
	if err := nodes[0].cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	aDead.Store(true)
	_, _ = nodes[0].cmd.Process.Wait()
	wg.Wait()
	if t.Failed() {
		return
	}
	t.Logf("%d sends accepted (%d while both nodes ran, created on one node and started on the other); node A killed after %d", accepted.Load(), crossNode.Load(), total/2)

	// 4. Every accepted send arrives, once by Message-ID.
	want := map[string]bool{}
	for _, c := range sent {
		want["<"+c+"@example.com>"] = true
	}
	deadline := time.Now().Add(90 * time.Second)
	var ids map[string]int
	for {
		ids = messageIDs(sink.Messages())
		missing := 0
		for id := range want {
			if ids[id] == 0 {
				missing++
			}
		}
		if missing == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d accepted sends never reached the SMTP receiver", missing, len(want))
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("all %d accepted sends delivered %s after node A was killed", len(want), time.Since(killedAt).Round(time.Millisecond))
	time.Sleep(500 * time.Millisecond) // let any late duplicate arrive before counting
	ids = messageIDs(sink.Messages())
	dups := 0
	for id, n := range ids {
		if !want[id] {
			t.Errorf("the receiver got a message nobody sent: Message-ID %s", id)
		}
		if n > 1 {
			dups += n - 1
			t.Logf("duplicate delivery (same Message-ID, sent again after node A died mid-send): %s x%d", id, n)
		}
	}
	if len(ids) != len(want) {
		t.Errorf("the receiver saw %d distinct Message-IDs, want %d accepted sends", len(ids), len(want))
	}
	if ids["<"+tokenContact+"@example.com>"] != 1 {
		t.Errorf("the send raced with one ClientToken on both nodes arrived %d times, want once", ids["<"+tokenContact+"@example.com>"])
	}
	t.Logf("receiver: %d messages, %d distinct Message-IDs = %d accepted sends, %d duplicates", len(sink.Messages()), len(ids), len(want), dups)

	// The survivor answers for every contact, whichever node took it.
	for _, c := range sent[:20] {
		d, err := clients[1].DescribeContact(ctx, &connect.DescribeContactInput{InstanceId: aws.String(inst), ContactId: aws.String(c)})
		if err != nil {
			t.Fatalf("DescribeContact %s on node B: %v", c, err)
		}
		if d.Contact.DisconnectTimestamp == nil && time.Since(killedAt) > 30*time.Second {
			t.Errorf("contact %s is not finished", c)
		}
	}

	// 5. Webhooks: every event delivered, by one node at a time.
	db, err := pgx.Connect(ctx, dsnWithoutNodeParams(dsn))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(ctx)
	var logIDs []int64
	deadline = time.Now().Add(60 * time.Second)
	for {
		rows, err := db.Query(ctx, `SELECT id FROM events ORDER BY id`)
		if err != nil {
			t.Fatal(err)
		}
		logIDs, err = pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			t.Fatal(err)
		}
		got := hooks.snapshot()
		missing := 0
		for _, id := range logIDs {
			if got[id] == 0 {
				missing++
			}
		}
		if missing == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the webhook is missing %d of %d events", missing, len(logIDs))
		}
		time.Sleep(100 * time.Millisecond)
	}
	hookDups := 0
	for _, n := range hooks.snapshot() {
		hookDups += n - 1
	}
	t.Logf("webhook: %d events delivered, %d duplicate deliveries", len(logIDs), hookDups)
	// The role moves once (node A died); at most the event in flight then is repeated.
	if hookDups > 2 {
		t.Errorf("the webhook got %d duplicate deliveries: more than one node is delivering", hookDups)
	}
	// The survivor forgets the dead node once its heartbeat is older than the node timeout (3s).
	var jobs, nodesLeft int
	deadline = killedAt.Add(15 * time.Second)
	for {
		if err := db.QueryRow(ctx, `SELECT (SELECT count(*) FROM jobs), (SELECT count(*) FROM nodes)`).Scan(&jobs, &nodesLeft); err != nil {
			t.Fatal(err)
		}
		if jobs == 0 && nodesLeft == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the run: %d jobs left, %d nodes registered; want 0 and the survivor", jobs, nodesLeft)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// dsnWithoutNodeParams drops connectmail_* parameters, which only the store understands.
func dsnWithoutNodeParams(dsn string) string {
	base, query, ok := strings.Cut(dsn, "?")
	if !ok {
		return dsn
	}
	var keep []string
	for _, p := range strings.Split(query, "&") {
		if !strings.HasPrefix(p, "connectmail_") && !strings.HasPrefix(p, "pool_") {
			keep = append(keep, p)
		}
	}
	if len(keep) == 0 {
		return base
	}
	return base + "?" + strings.Join(keep, "&")
}

// BenchmarkAcceptedSends measures the accepted send rate of one node —
// CreateContact + StartOutboundEmailContact through the Go SDK, 32 clients
// in parallel, relaying to an SMTP receiver — on SQLite and on PostgreSQL
// (when CONNECTMAIL_TEST_POSTGRES is set), and reports sends/s.
//
//	go test ./server -run '^$' -bench AcceptedSends -benchtime 3000x
func BenchmarkAcceptedSends(b *testing.B) {
	for _, engine := range []string{"sqlite", "postgres"} {
		b.Run(engine, func(b *testing.B) {
			cfg := servertest.Config(b)
			if engine != "sqlite" {
				cfg.DB = pgtest.NewDatabase(b)
			}
			sink := servertest.Sink(b, smtpsink.Options{})
			cfg.SMTPRelay = sink.URL()
			srv := servertest.Start(b, cfg)
			defer srv.Stop()
			client := servertest.Client(srv.URL)
			ctx := context.Background()
			inst := setupB(ctx, b, client)
			b.SetParallelism(16) // 32 clients on 2 CPUs
			b.ResetTimer()
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					out, err := client.CreateContact(ctx, &connect.CreateContactInput{InstanceId: aws.String(inst), Channel: types.ChannelEmail,
						InitiationMethod: types.ContactInitiationMethodOutbound, UserInfo: &types.UserInfo{UserId: aws.String("a")}})
					if err != nil {
						b.Error(err)
						return
					}
					if _, err := client.StartOutboundEmailContact(ctx, sendInput(inst, *out.ContactId)); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "sends/s")
		})
	}
}

// setupB creates an instance with the sender's email address for a benchmark.
func setupB(ctx context.Context, b *testing.B, client *connect.Client) string {
	b.Helper()
	inst, err := client.CreateInstance(ctx, &connect.CreateInstanceInput{
		IdentityManagementType: types.DirectoryTypeConnectManaged,
		InboundCallsEnabled:    aws.Bool(true), OutboundCallsEnabled: aws.Bool(true),
	})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := client.CreateEmailAddress(ctx, &connect.CreateEmailAddressInput{
		InstanceId: inst.Id, EmailAddress: aws.String("support@example.com"),
	}); err != nil {
		b.Fatal(err)
	}
	return *inst.Id
}
