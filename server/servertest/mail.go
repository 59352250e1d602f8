package servertest

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	"github.com/connectmail/connectmail/server"
	"github.com/connectmail/connectmail/smtpsink"
)

// The region and the access key a test server accepts by default.
const (
	Region          = "us-east-1"
	AccessKeyID     = "test"
	SecretAccessKey = "test"
)

// Sink starts a real SMTP receiver with opts, closed at the end of the test.
func Sink(tb testing.TB, opts smtpsink.Options) *smtpsink.Sink {
	tb.Helper()
	sink, err := smtpsink.Start(opts)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { sink.Close() })
	return sink
}

// Relaying is Config relaying to a new Sink that keeps what it receives,
// with deferred mail retried after 200 ms.
func Relaying(tb testing.TB) (server.Config, *smtpsink.Sink) {
	tb.Helper()
	sink := Sink(tb, smtpsink.Options{Keep: true})
	cfg := Config(tb)
	cfg.SMTPRelay = sink.URL()
	cfg.RetryBase = 200 * time.Millisecond
	return cfg, sink
}

// Client is an AWS SDK client for the Amazon Connect API at url that signs
// with the default test key; opts adjust it (an HTTP client, say).
func Client(url string, opts ...func(*connect.Options)) *connect.Client {
	return ClientAs(url, AccessKeyID, SecretAccessKey, opts...)
}

// ClientAs is Client signing with another key.
func ClientAs(url, keyID, secret string, opts ...func(*connect.Options)) *connect.Client {
	return connect.New(connect.Options{
		BaseEndpoint: aws.String(url), Region: Region,
		Credentials: credentials.NewStaticCredentialsProvider(keyID, secret, ""),
	}, opts...)
}
