package server_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/connectmail/connectmail/server/servertest"
	"github.com/connectmail/connectmail/smtpsink"
)

// rawClient sends SigV4-signed requests with net/http, without the SDK's
// per-call machinery, so that the benchmark measures the server.
type rawClient struct {
	url    string
	http   *http.Client
	signer *v4.Signer
	creds  aws.Credentials
}

func newRawClient(url string) *rawClient {
	return &rawClient{url: url, signer: v4.NewSigner(), creds: aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"},
		http: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}}}
}

func (c *rawClient) call(method, path string, body []byte, out any) error {
	req, _ := http.NewRequest(method, c.url+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	sum := sha256.Sum256(body)
	if err := c.signer.SignHTTP(context.Background(), c.creds, req, hex.EncodeToString(sum[:]), "connect", "us-east-1", time.Now()); err != nil {
		return err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		return fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, b)
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

// BenchmarkSendPair measures signed CreateContact + StartOutboundEmailContact
// pairs against a real server (SQLite, durable) relaying to a counting SMTP sink.
// It reports accepted pairs/s, the p99 of one pair, and delivered/s end to end.
func BenchmarkSendPair(b *testing.B) {
	sink := servertest.Sink(b, smtpsink.Options{})
	cfg := servertest.Config(b)
	cfg.SMTPRelay = sink.URL()
	srv := servertest.Start(b, cfg)
	defer srv.Stop()
	c := newRawClient(srv.URL)
	var inst struct{ Id string }
	if err := c.call("PUT", "/instance", []byte(`{"IdentityManagementType":"CONNECT_MANAGED","InboundCallsEnabled":true,"OutboundCallsEnabled":true}`), &inst); err != nil {
		b.Fatal(err)
	}
	if err := c.call("PUT", "/email-addresses/"+inst.Id, []byte(`{"EmailAddress":"support@example.com","DisplayName":"Support"}`), nil); err != nil {
		b.Fatal(err)
	}
	createBody := []byte(`{"InstanceId":"` + inst.Id + `","Channel":"EMAIL","InitiationMethod":"OUTBOUND","UserInfo":{"UserId":"agent"}}`)
	var mu sync.Mutex
	var lat []time.Duration
	before := sink.Count()
	b.SetParallelism(benchParallelism())
	b.ResetTimer()
	cpu0 := cpuTime()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		var mine []time.Duration
		for pb.Next() {
			t0 := time.Now()
			var cc struct{ ContactId string }
			if err := c.call("PUT", "/contact/create-contact", createBody, &cc); err != nil {
				b.Error(err)
				return
			}
			send := `{"InstanceId":"` + inst.Id + `","ContactId":"` + cc.ContactId + `","FromEmailAddress":{"EmailAddress":"support@example.com"},` +
				`"DestinationEmailAddress":{"EmailAddress":"customer@example.org"},"EmailMessage":{"MessageSourceType":"RAW",` +
				`"RawMessage":{"Subject":"Order update","Body":"<p>Your order shipped.</p>","ContentType":"text/html"}}}`
			if err := c.call("PUT", "/contact/outbound-email", []byte(send), nil); err != nil {
				b.Error(err)
				return
			}
			mine = append(mine, time.Since(t0))
		}
		mu.Lock()
		lat = append(lat, mine...)
		mu.Unlock()
	})
	accepted := time.Since(start)
	want := before + int64(len(lat))
	for sink.Count() < want {
		if time.Since(start) > accepted+2*time.Minute {
			b.Fatalf("delivered %d of %d", sink.Count()-before, len(lat))
		}
		time.Sleep(2 * time.Millisecond)
	}
	delivered := time.Since(start)
	cpu := cpuTime() - cpu0
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	if len(lat) > 0 {
		b.ReportMetric(float64(len(lat))/accepted.Seconds(), "pairs/s")
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
		b.ReportMetric(float64(len(lat))/delivered.Seconds(), "delivered/s")
		// CPU per delivered pair (server, client and sink together) is steadier
		// than rates on a machine shared with other work.
		b.ReportMetric(float64(cpu.Microseconds())/float64(len(lat)), "cpu-µs/pair")
	}
}

// cpuTime is the process's user+system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchParallelism is RunParallel's goroutines per GOMAXPROCS (BENCH_PARALLELISM, default 16).
func benchParallelism() int {
	if n, err := strconv.Atoi(os.Getenv("BENCH_PARALLELISM")); err == nil && n > 0 {
		return n
	}
	return 16
}
