package delivery

import (
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// domainLimits holds one token bucket per destination domain.
type domainLimits struct {
	rates map[string]float64 // domain → messages per second; "*" is the default
	mu    sync.Mutex
	lims  map[string]*rate.Limiter
}

func newDomainLimits(rates map[string]float64) *domainLimits {
	if len(rates) == 0 {
		return nil
	}
	return &domainLimits{rates: rates, lims: map[string]*rate.Limiter{}}
}

func domainOf(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		return strings.ToLower(addr[i+1:])
	}
	return ""
}

// reserve takes a token for the destination's domain and returns how long the
// caller must wait before sending (0: now).
func (d *domainLimits) reserve(dest string, now time.Time) time.Duration {
	if d == nil {
		return 0
	}
	dom := domainOf(dest)
	r, ok := d.rates[dom]
	if !ok {
		if r, ok = d.rates["*"]; !ok || r <= 0 {
			return 0
		}
	}
	d.mu.Lock()
	lim := d.lims[dom]
	if lim == nil {
		burst := int(r)
		if burst < 1 {
			burst = 1
		}
		lim = rate.NewLimiter(rate.Limit(r), burst)
		d.lims[dom] = lim
	}
	d.mu.Unlock()
	return lim.ReserveN(now, 1).DelayFrom(now)
}
