package inbound

import (
	"crypto/tls"
	"io"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// writeGrace is how long replies may still be written after a session's
// deadline, so that the 421 that ends it reaches the sender.
const writeGrace = 10 * time.Second

// capListener admits at most cap(slots) sessions at once. A connection
// beyond that is answered 421 and closed at once, in the accept loop:
// writing one line to a fresh socket does not block, so a flood of
// connections costs neither a goroutine nor a session each.
type capListener struct {
	net.Listener
	slots   chan struct{}
	session time.Duration
	domain  string
	log     *slog.Logger
	// lastWarn is when (Unix nanoseconds) a refusal was last logged: a
	// flood is logged once every 10 s, not once per connection.
	lastWarn atomic.Int64
}

// Accept returns the next connection that gets a session slot.
func (l *capListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		select {
		case l.slots <- struct{}{}:
			sc := &sessionConn{Conn: c, end: time.Now().Add(l.session), release: func() { <-l.slots }, log: l.log}
			_ = sc.SetDeadline(sc.end)
			return sc, nil
		default:
			l.refuse(c)
		}
	}
}

func (l *capListener) refuse(c net.Conn) {
	_ = c.SetWriteDeadline(time.Now().Add(time.Second))
	_, _ = io.WriteString(c, "421 4.4.5 "+l.domain+" Too many sessions, try again later\r\n")
	_ = c.Close()
	now := time.Now().UnixNano()
	if last := l.lastWarn.Load(); now-last >= int64(10*time.Second) && l.lastWarn.CompareAndSwap(last, now) {
		l.log.Warn("inbound SMTP session limit reached: refusing connections", "sessions", cap(l.slots), "remote", c.RemoteAddr().String())
	}
}

// sessionConn is the connection of one admitted session. Every read and
// write deadline go-smtp sets is clamped to the session's end, so that no
// sequence of timely commands keeps a session beyond it; replies get
// writeGrace more. Closing it frees the session slot.
type sessionConn struct {
	net.Conn
	end     time.Time
	release func()
	log     *slog.Logger
	once    sync.Once
	// closeAfterWrite closes the connection once the next reply is
	// written: a 421 that ends the session.
	closeAfterWrite atomic.Bool
	// refused counts the unknown recipients of the connection since it
	// last delivered a message, across its transactions and a STARTTLS
	// (which starts a new smtp.Session).
	refused atomic.Int32
	// idle, while not zero, is the read timeout that each read from the
	// network gets afresh: set during message data, for which go-smtp
	// sets one deadline for the whole transfer, which a large message on a
	// slow link cannot meet while an idle sender must still be cut. The
	// session's end bounds the transfer as a whole.
	idle    atomic.Int64
	expired atomic.Bool
}

// SetDeadline implements net.Conn.
func (c *sessionConn) SetDeadline(t time.Time) error {
	if err := c.SetReadDeadline(t); err != nil {
		return err
	}
	return c.SetWriteDeadline(t)
}

// SetReadDeadline implements net.Conn, never later than the session's end.
func (c *sessionConn) SetReadDeadline(t time.Time) error {
	return c.Conn.SetReadDeadline(clamp(t, c.end))
}

// SetWriteDeadline implements net.Conn, never later than writeGrace after
// the session's end.
func (c *sessionConn) SetWriteDeadline(t time.Time) error {
	return c.Conn.SetWriteDeadline(clamp(t, c.end.Add(writeGrace)))
}

// Read implements net.Conn, and logs the end of a session cut at its deadline.
func (c *sessionConn) Read(p []byte) (int, error) {
	if d := time.Duration(c.idle.Load()); d > 0 {
		_ = c.SetReadDeadline(time.Now().Add(d))
	}
	n, err := c.Conn.Read(p)
	if err != nil && c.pastEnd() && c.expired.CompareAndSwap(false, true) {
		c.log.Info("inbound SMTP session reached its time limit: closing", "remote", c.RemoteAddr().String())
	}
	return n, err
}

// Write implements net.Conn.
func (c *sessionConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	if c.closeAfterWrite.Load() {
		_ = c.Close()
	}
	return n, err
}

// Close implements net.Conn and frees the session slot.
func (c *sessionConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}

// pastEnd reports whether the session's time is up.
func (c *sessionConn) pastEnd() bool { return !time.Now().Before(c.end) }

// ownConn finds the sessionConn under a connection go-smtp hands out (a
// *tls.Conn after STARTTLS).
func ownConn(c net.Conn) *sessionConn {
	for {
		switch x := c.(type) {
		case *sessionConn:
			return x
		case *tls.Conn:
			c = x.NetConn()
		default:
			return nil
		}
	}
}

func clamp(t, limit time.Time) time.Time {
	if t.IsZero() || t.After(limit) {
		return limit
	}
	return t
}
