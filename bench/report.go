package bench

import (
	"fmt"
	"io"
	"strconv"
	"strings"
)

// group formats n with thousands separators: 12345 → "12,345".
func group(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

func mb(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/(1<<20)) }

// WriteText writes the report for people.
func (r *Report) WriteText(w io.Writer) {
	where := "server at " + r.Target
	if r.Child {
		where = "child server (" + r.DB + ")"
	}
	load := fmt.Sprintf("concurrency %d", r.Concurrency)
	if r.Mode == "open" {
		load = fmt.Sprintf("open loop at %s pairs/s, up to %d in flight", group(int64(r.Rate)), r.Concurrency)
	}
	fmt.Fprintf(w, "connectmail bench: %s, %s, %s messages; %d cores, load average %s at start\n", where, load, r.Message, r.Cores, r.LoadAverage)
	if r.Server.StartToReadyMs > 0 {
		fmt.Fprintf(w, "start to ready   %.1f ms (exec to first 200 from /healthz)\n", r.Server.StartToReadyMs)
	}
	fmt.Fprintf(w, "server RSS       idle %s · peak %s · after run %s", mb(r.Server.IdleRSS), mb(r.Server.PeakRSS), mb(r.Server.FinalRSS))
	if r.Server.HWM > 0 {
		fmt.Fprintf(w, " · VmHWM %s", mb(r.Server.HWM))
	}
	fmt.Fprintln(w)
	if p := r.Preload; p != nil {
		fmt.Fprintf(w, "preload          %s contacts in %.1f s (%s pairs/s, %s failed)\n", group(p.Succeeded), p.Seconds, group(int64(p.PerSec)), group(p.Failed))
	}
	l := r.Load
	fmt.Fprintf(w, "accepted         %s pairs in %.2f s = %s pairs/s (%s failed)\n", group(l.Succeeded), l.Seconds, group(int64(l.PerSec)), group(l.Failed))
	if l.ServerCores > 0 || l.BenchCores > 0 {
		fmt.Fprintf(w, "CPU during load  server %.2f cores · bench (client + sink) %.2f cores\n", l.ServerCores, l.BenchCores)
	}
	if wr := l.Writer; wr != nil {
		fmt.Fprintf(w, "store writer     busy %.0f%% of the load (exec %.0f%%, commit %.0f%%) · %s commits/s · %.1f writes per commit · %s fsyncs/s\n",
			100*wr.Busy, 100*wr.Exec, 100*wr.Commit, group(int64(wr.CommitsPerSec)), wr.WritesPerCommit, group(int64(wr.SyncsPerSec)))
	}
	fmt.Fprintf(w, "%-30s %8s %8s %8s %8s %10s\n", "latency (ms)", "p50", "p90", "p99", "max", "count")
	row := func(name string, s Latency) {
		fmt.Fprintf(w, "%-30s %8.2f %8.2f %8.2f %8.2f %10s\n", name, s.P50, s.P90, s.P99, s.Max, group(s.Count))
	}
	for _, op := range []opID{opCreate, opSend, opPair} {
		if s, ok := l.Latency[op.String()]; ok {
			row("  "+op.String(), s)
		}
	}
	if l.ScheduleLag != nil {
		row("  schedule lag", *l.ScheduleLag)
	}
	if d := r.Describe; d != nil {
		if s, ok := d.Latency[opDescribe.String()]; ok {
			row("  DescribeContact", s)
		}
	}
	if m := r.Mailpit; m != nil {
		if s, ok := m.Latency[opMailpit.String()]; ok {
			row("  Mailpit /api/v1/send", s)
		}
	}
	for _, e := range l.Errors {
		fmt.Fprintf(w, "  error ×%s  %s  %s\n", group(e.Count), e.Kind, e.Sample)
	}
	if d := r.Delivery; d != nil {
		state := "all arrived"
		if !d.Complete {
			state = "drain timed out"
		}
		fmt.Fprintf(w, "delivered        %s = %s/s end to end (%s during the load; last %.2f s after it; %s) · lost %s",
			group(d.Delivered), group(int64(d.PerSec)), group(d.DuringLoad), d.DrainSeconds, state, group(d.Lost))
		if d.Extra > 0 {
			fmt.Fprintf(w, " · %s more than accepted", group(d.Extra))
		}
		fmt.Fprintf(w, "  [%s]\n", d.Source)
	}
	if d := r.Disk; d != nil {
		fmt.Fprintf(w, "disk             %s db + %s wal (+ %s shm) for %s contacts = %s bytes/contact\n",
			mb(d.DBBytes), mb(d.WALBytes), mb(d.SHMBytes), group(d.Contacts), group(int64(d.BytesPerContact)))
	}
	if d := r.Describe; d != nil {
		if d.Rate > 0 {
			fmt.Fprintf(w, "DescribeContact  %s calls/s, open loop at %s/s with up to %d in flight, over %.1f s (%s failed)\n", group(int64(d.PerSec)), group(int64(d.Rate)), d.Workers, d.Seconds, group(d.Failed))
		} else {
			fmt.Fprintf(w, "DescribeContact  %s calls/s at concurrency %d over %.1f s (%s failed)\n", group(int64(d.PerSec)), d.Workers, d.Seconds, group(d.Failed))
		}
		for _, e := range d.Errors {
			fmt.Fprintf(w, "  error ×%s  %s  %s\n", group(e.Count), e.Kind, e.Sample)
		}
	}
	if m := r.Mailpit; m != nil {
		if m.Error != "" {
			fmt.Fprintf(w, "Mailpit          failed: %s\n", m.Error)
		}
		if m.Succeeded > 0 {
			var p99 float64
			if s, ok := m.Latency[opMailpit.String()]; ok {
				p99 = s.P99
			}
			fmt.Fprintf(w, "Mailpit          %s sends/s (p99 %.2f ms, %s failed) vs connectmail %s pairs/s (StartOutboundEmailContact p99 %.2f ms): %.2f×\n",
				group(int64(m.PerSec)), p99, group(m.Failed), group(int64(l.PerSec)), l.Latency[opSend.String()].P99, m.Ratio)
			fmt.Fprintf(w, "                 Mailpit CPU %.2f cores · bench %.2f cores · Mailpit VmHWM %s\n", m.ServerCores, m.BenchCores, mb(m.PeakRSS))
		}
		for _, e := range m.Errors {
			fmt.Fprintf(w, "  error ×%s  %s  %s\n", group(e.Count), e.Kind, e.Sample)
		}
	}
}
