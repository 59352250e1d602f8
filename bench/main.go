package bench

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

// listFlag collects repeated flag values.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, " ") }

func (l *listFlag) Set(v string) error {
	*l = append(*l, v)
	return nil
}

const usageHead = `Usage: connectmail bench [flags]

Drives a connectmail server with SigV4-signed CreateContact +
StartOutboundEmailContact pairs and reports accepted pairs/s, API latency
percentiles, end-to-end delivery, lost messages, server memory, start-up
time and bytes on disk per contact.

Without --target it starts "connectmail serve" from this binary as a child
process on a fresh SQLite database (or --db). --rate runs open-loop and
measures latency from each pair's scheduled time; otherwise --concurrency
workers send back to back.

Examples:
  connectmail bench --sink --concurrency 32 --duration 10s
  connectmail bench --sink --rate 2000 --duration 10s
  connectmail bench --sink --concurrency 32 --compare-mailpit $(which mailpit)
  connectmail bench --sink --preload 1000000 --describe
  connectmail bench --target http://127.0.0.1:4580 --sink --sink-addr 127.0.0.1:2525
      (the server started with --smtp-relay smtp://127.0.0.1:2525)

Flags:
`

// parseFlags turns command-line arguments into Options; json and progress
// say how to print.
func parseFlags(args []string, stderr io.Writer) (o Options, asJSON, progress bool, err error) {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var serveArgs listFlag
	fs.StringVar(&o.Target, "target", "", "base `URL` of a running server; without it bench starts one as a child process")
	fs.StringVar(&o.ServerBin, "server-bin", "", "connectmail `BINARY` for the child server (default: this executable)")
	fs.StringVar(&o.DB, "db", "", "child server's --db `DSN` (default: a fresh SQLite file in a temporary directory); with --target, a sqlite:PATH only says where to measure bytes on disk")
	fs.Var(&serveArgs, "serve-arg", "extra `ARG` for the child's serve command; repeat for several (e.g. --serve-arg=--concurrency=32)")
	fs.IntVar(&o.Concurrency, "concurrency", 0, "load workers: pairs in flight (default 16; with --rate, the most in flight, default 64)")
	fs.Float64Var(&o.Rate, "rate", 0, "open loop: offered `PAIRS` per second (one pair = CreateContact + StartOutboundEmailContact); 0 = closed loop")
	fs.DurationVar(&o.Duration, "duration", 0, "length of the measured load (default 10s unless --count is given)")
	fs.Int64Var(&o.Count, "count", 0, "send this many pairs (with --duration: whichever ends first)")
	fs.BoolVar(&o.Template, "template", false, "send TEMPLATE messages from a Q in Connect message template that bench creates (wisdom API)")
	fs.BoolVar(&o.Sink, "sink", false, "start a counting SMTP sink and point the child server's --smtp-relay at it; measures delivered/s and lost")
	fs.StringVar(&o.SinkAddr, "sink-addr", "", "`HOST:PORT` for the sink (default: a free loopback port; required with --target)")
	fs.StringVar(&o.RelayCountURL, "relay-count-url", "", "instead of --sink: `URL` returning the relay's message count (an integer, or JSON with total/count/messages_count)")
	fs.DurationVar(&o.DrainTimeout, "drain-timeout", 0, "after the load, give up waiting for deliveries when none arrived for this long (default 60s)")
	fs.Int64Var(&o.Preload, "preload", 0, "store `N` contacts (sent pairs, through the API) before measuring, then wait for the queue to drain")
	fs.IntVar(&o.PreloadConcurrency, "preload-concurrency", 0, "workers for --preload (default 64)")
	fs.BoolVar(&o.Describe, "describe", false, "after the load, measure DescribeContact on contacts drawn at random from those this run stored (preload included)")
	fs.IntVar(&o.DescribeConcurrency, "describe-concurrency", 0, "workers for --describe (default 4)")
	fs.DurationVar(&o.DescribeDuration, "describe-duration", 0, "length of the DescribeContact phase (default 5s)")
	fs.Float64Var(&o.DescribeRate, "describe-rate", 0, "open loop for --describe: calls per second (latency from each call's scheduled time)")
	fs.StringVar(&o.CompareMailpit, "compare-mailpit", "", "`PATH` to a Mailpit binary: drive its POST /api/v1/send with the same settings in the same run")
	fs.StringVar(&o.AccessKey, "access-key", "test", "access key id that signs the requests")
	fs.StringVar(&o.SecretKey, "secret-key", "test", "its secret access key")
	fs.StringVar(&o.Region, "region", "us-east-1", "SigV4 region")
	fs.BoolVar(&asJSON, "json", false, "print the report as JSON on stdout")
	fs.BoolVar(&progress, "progress", false, "draw the progress bar on stderr even when it is not a terminal")
	fs.Usage = func() {
		fmt.Fprint(stderr, usageHead)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return o, false, false, err
	}
	if fs.NArg() > 0 {
		return o, false, false, &UsageError{fmt.Sprintf("unexpected arguments %v", fs.Args())}
	}
	o.ServeArgs = serveArgs
	return o, asJSON, progress, nil
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// Main runs `connectmail bench` with its arguments and returns the exit
// code: 0 when every phase ran, 1 when one failed (the report so far is
// still printed), 2 for bad usage.
func Main(args []string, stdout, stderr io.Writer) int {
	o, asJSON, progress, err := parseFlags(args, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		var ue *UsageError
		if errors.As(err, &ue) {
			fmt.Fprintln(stderr, "connectmail bench:", err)
		}
		return 2
	}
	if progress || isTerminal(stderr) {
		o.Progress = stderr
	}
	o.Log = stderr
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rep, err := Run(ctx, o)
	var ue *UsageError
	if errors.As(err, &ue) {
		fmt.Fprintln(stderr, "connectmail bench:", err)
		return 2
	}
	if rep != nil {
		if asJSON {
			enc := json.NewEncoder(stdout)
			enc.SetIndent("", "  ")
			_ = enc.Encode(rep)
		} else {
			rep.WriteText(stdout)
		}
	}
	if err != nil {
		fmt.Fprintln(stderr, "connectmail bench:", err)
		return 1
	}
	if rep.Mailpit != nil && rep.Mailpit.Error != "" {
		return 1
	}
	return 0
}
