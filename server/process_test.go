package server_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"github.com/connectmail/connectmail/server/servertest"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	"github.com/aws/aws-sdk-go-v2/service/connect/types"
	"github.com/connectmail/connectmail/smtpsink"
)

// buildBinary builds ./cmd/connectmail once per test binary run.
var buildOnce = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "connectmail-bin")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "connectmail")
	out, err := exec.Command("go", "build", "-o", bin, "../cmd/connectmail").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// proc is a connectmail server process.
type proc struct {
	cmd  *exec.Cmd
	url  string
	logs *strings.Builder
	mu   *sync.Mutex
}

func startProc(t *testing.T, args ...string) *proc {
	t.Helper()
	bin, err := buildOnce()
	if err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	cmd := exec.Command(bin, append([]string{"serve", "--addr", addr, "--log-level", "warn"}, args...)...)
	p := &proc{cmd: cmd, url: "http://" + addr, logs: &strings.Builder{}, mu: &sync.Mutex{}}
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			p.mu.Lock()
			p.logs.WriteString(sc.Text() + "\n")
			p.mu.Unlock()
		}
	}()
	deadline := time.Now().Add(15 * time.Second)
	for {
		resp, err := http.Get(p.url + "/healthz")
		if err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("server did not start: %s", p.logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _, _ = cmd.Process.Wait() })
	return p
}

func (p *proc) client() *connect.Client {
	return servertest.Client(p.url)
}

func messageIDs(msgs []smtpsink.Message) map[string]int {
	ids := map[string]int{}
	for _, m := range msgs {
		for _, line := range strings.Split(string(m.Data), "\r\n") {
			if strings.HasPrefix(line, "Message-ID: ") {
				ids[strings.TrimPrefix(line, "Message-ID: ")]++
				break
			}
		}
	}
	return ids
}

// TestKill9UnderLoad kills the server with SIGKILL while clients are sending,
// restarts it, and checks that every send that got a 200 is delivered, and
// that any duplicate carries the same Message-ID.
func TestKill9UnderLoad(t *testing.T) {
	t.Parallel()
	sink := servertest.Sink(t, smtpsink.Options{Keep: true})
	db := "sqlite:" + filepath.Join(t.TempDir(), "crash.db")
	p := startProc(t, "--db", db, "--smtp-relay", sink.URL(), "--retry-base", "100ms")
	ctx := context.Background()
	h := &harness{t: t, client: p.client()}
	inst := h.setup(ctx)
	var accepted sync.Map
	var n atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := p.client()
			for {
				select {
				case <-stop:
					return
				default:
				}
				out, err := c.CreateContact(ctx, &connect.CreateContactInput{InstanceId: aws.String(inst), Channel: "EMAIL", InitiationMethod: "OUTBOUND",
					UserInfo: &types.UserInfo{UserId: aws.String("a")}})
				if err != nil {
					return // the server is gone
				}
				if _, err := c.StartOutboundEmailContact(ctx, sendInput(inst, *out.ContactId)); err != nil {
					return
				}
				accepted.Store(*out.ContactId, true)
				n.Add(1)
			}
		}()
	}
	for n.Load() < 150 {
		time.Sleep(5 * time.Millisecond)
	}
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_, _ = p.cmd.Process.Wait()
	close(stop)
	wg.Wait()
	total := 0
	accepted.Range(func(any, any) bool { total++; return true })
	// Restart on the same database: everything accepted must arrive.
	p2 := startProc(t, "--db", db, "--smtp-relay", sink.URL(), "--retry-base", "100ms")
	_ = p2
	deadline := time.Now().Add(60 * time.Second)
	for {
		ids := messageIDs(sink.Messages())
		missing := 0
		accepted.Range(func(k, _ any) bool {
			if ids["<"+k.(string)+"@example.com>"] == 0 {
				missing++
			}
			return true
		})
		if missing == 0 {
			dups := 0
			for _, c := range ids {
				if c > 1 {
					dups += c - 1
				}
			}
			t.Logf("accepted %d before SIGKILL; all delivered; %d duplicates (same Message-ID)", total, dups)
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d accepted sends never delivered", missing, total)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestSIGTERMDrains stops the server with SIGTERM while a slow relay is mid-transaction:
// the in-flight send completes (or is retried after restart), nothing is lost.
func TestSIGTERMDrains(t *testing.T) {
	t.Parallel()
	sink := servertest.Sink(t, smtpsink.Options{Keep: true, Delay: 300 * time.Millisecond})
	db := "sqlite:" + filepath.Join(t.TempDir(), "term.db")
	p := startProc(t, "--db", db, "--smtp-relay", sink.URL())
	ctx := context.Background()
	h := &harness{t: t, client: p.client()}
	inst := h.setup(ctx)
	var ids []string
	for i := 0; i < 20; i++ {
		cid := h.newContact(ctx, inst)
		if _, err := h.client.StartOutboundEmailContact(ctx, sendInput(inst, cid)); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, cid)
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan *os.ProcessState, 1)
	go func() { st, _ := p.cmd.Process.Wait(); done <- st }()
	var st *os.ProcessState
	select {
	case st = <-done:
	case <-time.After(40 * time.Second):
		t.Fatal("server did not exit after SIGTERM")
	}
	if code := st.ExitCode(); code != 0 {
		t.Fatalf("exit code %d after SIGTERM: %s", code, p.logs.String())
	}
	t.Logf("%d of %d delivered before the server exited", len(messageIDs(sink.Messages())), len(ids))
	// Whatever was not delivered before exit is delivered after restart.
	startProc(t, "--db", db, "--smtp-relay", sink.URL())
	deadline := time.Now().Add(30 * time.Second)
	for len(messageIDs(sink.Messages())) < len(ids) {
		if time.Now().After(deadline) {
			t.Fatalf("delivered %d of %d", len(messageIDs(sink.Messages())), len(ids))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestMailpitReceives sends through connectmail into Mailpit, an independent
// SMTP server, and reads the message back through Mailpit's REST API.
func TestMailpitReceives(t *testing.T) {
	t.Parallel()
	bin := os.Getenv("CONNECTMAIL_TEST_MAILPIT")
	if bin == "" {
		var err error
		if bin, err = exec.LookPath("mailpit"); err != nil {
			t.Skip("Mailpit not available: set CONNECTMAIL_TEST_MAILPIT (scripts/test.sh installs it)")
		}
	}
	smtpAddr, httpAddr := freeAddr(t), freeAddr(t)
	mp := exec.Command(bin, "--smtp", smtpAddr, "--listen", httpAddr, "--disable-version-check", "--database", filepath.Join(t.TempDir(), "mp.db"))
	if err := mp.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = mp.Process.Kill(); _, _ = mp.Process.Wait() })
	for i := 0; ; i++ {
		if c, err := net.Dial("tcp", smtpAddr); err == nil {
			c.Close()
			break
		}
		if i > 200 {
			t.Fatal("Mailpit did not start")
		}
		time.Sleep(25 * time.Millisecond)
	}
	p := startProc(t, "--db", "sqlite:"+filepath.Join(t.TempDir(), "mp.db"), "--smtp-relay", "smtp://"+smtpAddr)
	ctx := context.Background()
	h := &harness{t: t, client: p.client()}
	inst := h.setup(ctx)
	cid := h.newContact(ctx, inst)
	if _, err := h.client.StartOutboundEmailContact(ctx, sendInput(inst, cid)); err != nil {
		t.Fatal(err)
	}
	var list struct {
		Messages []struct {
			ID        string `json:"ID"`
			MessageID string `json:"MessageID"`
			Subject   string `json:"Subject"`
			From      struct{ Address, Name string }
			To        []struct{ Address, Name string }
			Cc        []struct{ Address string }
		} `json:"messages"`
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get("http://" + httpAddr + "/api/v1/messages")
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			_ = json.Unmarshal(b, &list)
			if len(list.Messages) > 0 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("Mailpit never received the message")
		}
		time.Sleep(100 * time.Millisecond)
	}
	m := list.Messages[0]
	if m.MessageID != cid+"@example.com" || m.Subject != "Your order 42" || m.From.Name != "Support Désk" ||
		len(m.To) != 1 || m.To[0].Address != "customer@example.org" || m.To[0].Name != "Ana Cliente" || len(m.Cc) != 1 {
		t.Fatalf("Mailpit saw %+v", m)
	}
	resp, err := http.Get("http://" + httpAddr + "/api/v1/message/" + m.ID)
	if err != nil {
		t.Fatal(err)
	}
	var full struct{ Text, HTML string }
	_ = json.NewDecoder(resp.Body).Decode(&full)
	resp.Body.Close()
	if !strings.Contains(full.HTML, "<b>Ana</b>") || !strings.Contains(full.Text, "Hello Ana") {
		t.Fatalf("Mailpit parts: text %q html %q", full.Text, full.HTML)
	}
}
