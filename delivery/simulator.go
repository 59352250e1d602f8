package delivery

import (
	"context"
	"strings"
	"time"
)

// SimulatorDomain is the domain of the simulator addresses. Mail whose
// destination is a simulator address is never relayed; its outcome is
// decided here, deterministically, so that teams can test how their code
// handles each outcome without a relay:
//
//	success@simulator.connectmail.dev    delivered (EMAIL_SENT, contact SENT)
//	bounce@simulator.connectmail.dev     hard bounce 550 (EMAIL_BOUNCED, contact FAILED)
//	defer@simulator.connectmail.dev      451 on the first two attempts, then delivered (EMAIL_DEFERRED ×2, EMAIL_SENT)
//	slow@simulator.connectmail.dev       delivered after 3 seconds (a slow relay)
//	suppressed@simulator.connectmail.dev treated as on the suppression list (EMAIL_SUPPRESSED, contact FAILED)
//
// A "+tag" is allowed in the local part (success+order42@…).
const SimulatorDomain = "simulator.connectmail.dev"

func isSimulator(addr string) bool {
	return strings.HasSuffix(strings.ToLower(addr), "@"+SimulatorDomain)
}

func simulatorLocal(addr string) string {
	l := strings.ToLower(addr[:strings.LastIndexByte(addr, '@')])
	if i := strings.IndexByte(l, '+'); i >= 0 {
		l = l[:i]
	}
	return l
}

// IsSimulatorSuppressed reports whether addr is the simulator's suppressed address.
func IsSimulatorSuppressed(addr string) bool {
	return isSimulator(addr) && simulatorLocal(addr) == "suppressed"
}

type simulation struct {
	kind    string
	attempt int
}

// simError is a simulated relay failure.
type simError struct {
	code int
	msg  string
}

func (e *simError) Error() string   { return e.msg }
func (e *simError) Temporary() bool { return e.code < 500 }
func (e *simError) SMTPCode() int   { return e.code }

// Simulate decides whether a delivery is simulated: it is when the destination
// (the first recipient) is a simulator address.
func Simulate(rcpts []string, attempt int) (simulation, bool) {
	if len(rcpts) == 0 || !isSimulator(rcpts[0]) {
		return simulation{}, false
	}
	return simulation{kind: simulatorLocal(rcpts[0]), attempt: attempt}, true
}

func (s simulation) apply(ctx context.Context) (Receipt, error) {
	switch s.kind {
	case "bounce":
		return Receipt{}, &simError{550, "550 5.1.1 simulated hard bounce: mailbox does not exist"}
	case "defer":
		if s.attempt <= 2 {
			return Receipt{}, &simError{451, "451 4.3.0 simulated deferral: try again later"}
		}
	case "slow":
		select {
		case <-time.After(3 * time.Second):
		case <-ctx.Done():
			return Receipt{}, &simError{421, "421 4.4.2 simulated slow relay: timed out"}
		}
	}
	return Receipt{Response: "250 2.0.0 simulated delivery"}, nil
}
