package bench

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// progress redraws one status line on a terminal until stopped. A nil
// *progress draws nothing.
type progress struct {
	w    io.Writer
	stop chan struct{}
	done chan struct{}
}

// status is what the progress line shows: a fraction (negative when
// unknown) and a text.
type status func() (frac float64, text string)

func startProgress(w io.Writer, label string, st status) *progress {
	if w == nil {
		return nil
	}
	p := &progress{w: w, stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(p.done)
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			p.draw(label, st)
			select {
			case <-p.stop:
				fmt.Fprint(p.w, "\r\x1b[2K")
				return
			case <-t.C:
			}
		}
	}()
	return p
}

func (p *progress) draw(label string, st status) {
	const width = 30
	frac, text := st()
	bar := strings.Repeat(" ", width)
	if frac >= 0 {
		if frac > 1 {
			frac = 1
		}
		n := int(frac * width)
		bar = strings.Repeat("=", n) + strings.Repeat(" ", width-n)
		if n < width {
			bar = bar[:n] + ">" + bar[n+1:]
		}
	}
	fmt.Fprintf(p.w, "\r\x1b[2K%-9s [%s] %s", label, bar, text)
}

func (p *progress) end() {
	if p == nil {
		return
	}
	close(p.stop)
	<-p.done
}
