package relay

import (
	"context"
	"sync"
	"time"
)

// get returns a pooled connection (reused = true) or dials a new one.
func (c *Client) get(ctx context.Context) (cn *conn, reused bool, err *Error) {
	var expired []*conn
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil, false, &Error{Stage: StageDial, temporary: true, Message: ErrClosed.Error(), Err: ErrClosed}
	}
	for len(c.idle) > 0 {
		last := c.idle[len(c.idle)-1]
		c.idle = c.idle[:len(c.idle)-1]
		last.timer.Stop()
		if time.Since(last.idleSince) >= c.cfg.MaxIdle {
			expired = append(expired, last)
			continue
		}
		cn = last
		break
	}
	c.mu.Unlock()
	for _, e := range expired {
		e.quit()
	}
	if cn != nil {
		return cn, true, nil
	}
	cn, err = c.dial(ctx)
	return cn, false, err
}

// release returns a healthy connection to the pool, or retires it once it
// has carried MaxMessagesPerConn transactions.
func (c *Client) release(cn *conn) {
	c.mu.Lock()
	if c.closed || cn.sent >= c.cfg.MaxMessagesPerConn {
		c.mu.Unlock()
		cn.quit()
		return
	}
	cn.idleSince = time.Now()
	cn.timer = time.AfterFunc(c.cfg.MaxIdle, func() { c.expire(cn) })
	c.idle = append(c.idle, cn)
	c.mu.Unlock()
}

// expire closes cn if it is still idle in the pool.
func (c *Client) expire(cn *conn) {
	c.mu.Lock()
	found := false
	for i, x := range c.idle {
		if x == cn {
			c.idle = append(c.idle[:i], c.idle[i+1:]...)
			found = true
			break
		}
	}
	if found {
		c.bg.Add(1)
	}
	c.mu.Unlock()
	if found {
		defer c.bg.Done()
		cn.quit()
	}
}

// Close closes the pooled connections (politely, with QUIT) and makes
// further Send calls fail with ErrClosed. Connections in use by running
// Send calls are closed when those calls finish.
func (c *Client) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	idle := c.idle
	c.idle = nil
	c.mu.Unlock()
	var wg sync.WaitGroup
	for _, cn := range idle {
		cn.timer.Stop()
		wg.Add(1)
		go func() {
			defer wg.Done()
			cn.quit()
		}()
	}
	wg.Wait()
	c.bg.Wait()
	return nil
}

// quit says goodbye and closes the connection.
func (cn *conn) quit() {
	cn.c.CommandTimeout = min(cn.c.CommandTimeout, quitTimeout)
	_ = cn.c.Quit()
	_ = cn.raw.Close()
}
