package relay

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/textproto"
	"strconv"
	"time"

	"github.com/emersion/go-smtp"
)

// transact runs one MAIL/RCPT/DATA transaction, pipelined when the server
// offers PIPELINING. keep reports whether the connection is healthy and idle
// again (a failed transaction is RSET).
func (c *Client) transact(ctx context.Context, cn *conn, from string, rcpts []string, msg []byte) (res *Result, keep bool, serr *Error) {
	stop := context.AfterFunc(ctx, func() { _ = cn.raw.Close() })
	defer func() {
		if !stop() {
			// The context closed the connection.
			keep = false
			if serr != nil && ctx.Err() != nil && serr.Code == 0 {
				serr = contextError(serr.Stage, ctx)
			}
		}
	}()
	tx := &txn{c: c, ctx: ctx, cn: cn}

	opts := &smtp.MailOptions{Size: int64(len(msg))}
	if !isASCII(from) || !allASCII(rcpts) {
		if ok, _ := cn.c.Extension("SMTPUTF8"); !ok {
			return nil, true, policyError(StageMail, "non-ASCII envelope address and the server does not offer SMTPUTF8")
		}
		opts.UTF8 = true
	}
	cn.sent++
	if !c.cfg.DisablePipelining && commandsSize(from, rcpts) <= pipeWriteBuffer {
		if ok, _ := cn.c.Extension("PIPELINING"); ok {
			return tx.pipelined(from, rcpts, msg, opts)
		}
	}
	return tx.lockstep(from, rcpts, msg, opts)
}

// txn is one transaction on a connection.
type txn struct {
	c   *Client
	ctx context.Context
	cn  *conn
}

// fail classifies err at stage, reporting the context's end instead of the
// network error it caused.
func (t *txn) fail(stage string, err error) *Error {
	if t.ctx.Err() != nil && smtpCode(err) == 0 {
		return contextError(stage, t.ctx)
	}
	return classify(stage, err)
}

// reset restores a healthy connection after a refused transaction.
func (t *txn) reset() bool { return t.ctx.Err() == nil && t.cn.c.Reset() == nil }

// refused reports whether err is a reply after which the session goes on:
// an SMTP reply other than 421 (service closing).
func refused(err error) bool {
	code := smtpCode(err)
	return code != 0 && code != 421
}

// lockstep sends each command and waits for its reply before the next.
func (t *txn) lockstep(from string, rcpts []string, msg []byte, opts *smtp.MailOptions) (*Result, bool, *Error) {
	cn := t.cn
	if err := cn.c.Mail(from, opts); err != nil {
		return nil, refused(err) && t.reset(), t.fail(StageMail, err)
	}
	res, err := recipients(rcpts, func(r string) error { return cn.c.Rcpt(r, nil) })
	if err != nil {
		return nil, false, t.fail(StageRcpt, err)
	}
	if len(res.Accepted) == 0 {
		return res, t.reset(), noRecipientError(rcpts, res.Rejected)
	}
	w, err := cn.c.Data()
	if err != nil {
		return nil, refused(err) && t.reset(), t.fail(StageData, err)
	}
	if err := cn.nc.SetDeadline(time.Now().Add(t.c.cfg.DataTimeout)); err != nil {
		return nil, false, t.fail(StageData, err)
	}
	if _, err := w.Write(msg); err != nil {
		return nil, false, t.fail(StageData, err)
	}
	resp, err := w.CloseWithResponse()
	if err != nil {
		return nil, refused(err) && t.reset(), t.fail(StageData, err)
	}
	res.Response = replyText(resp.StatusText)
	return res, true, nil
}

// pipelined sends MAIL, every RCPT and DATA in one write (RFC 2920), reads
// their replies in order, then sends the message. Outcomes and their
// classification are those of lockstep; only the number of round trips
// differs (two instead of three plus one per recipient).
func (t *txn) pipelined(from string, rcpts []string, msg []byte, opts *smtp.MailOptions) (*Result, bool, *Error) {
	cn := t.cn
	p := cn.pipeline()
	w := p.w.W
	if err := t.deadline(t.c.cfg.CommandTimeout); err != nil {
		return nil, false, t.fail(StageMail, err)
	}
	// The parameters are those go-smtp's Client.Mail sends for opts.
	_, _ = w.WriteString("MAIL FROM:<")
	_, _ = w.WriteString(from)
	_ = w.WriteByte('>')
	if ok, _ := cn.c.Extension("8BITMIME"); ok {
		_, _ = w.WriteString(" BODY=8BITMIME")
	}
	if ok, _ := cn.c.Extension("SIZE"); ok && opts.Size != 0 {
		_, _ = w.WriteString(" SIZE=")
		_, _ = w.WriteString(strconv.FormatInt(opts.Size, 10))
	}
	if opts.UTF8 {
		_, _ = w.WriteString(" SMTPUTF8")
	}
	_, _ = w.WriteString("\r\n")
	for _, r := range rcpts {
		_, _ = w.WriteString("RCPT TO:<")
		_, _ = w.WriteString(r)
		_, _ = w.WriteString(">\r\n")
	}
	_, _ = w.WriteString("DATA\r\n")
	if err := w.Flush(); err != nil {
		return nil, false, t.fail(StageMail, err)
	}

	if _, err := t.reply(p, 250); err != nil {
		if !refused(err) {
			return nil, false, t.fail(StageMail, err)
		}
		// The RCPT and DATA replies follow all the same.
		ok := true
		for range rcpts {
			if _, err := t.reply(p, 25); err != nil && !refused(err) {
				ok = false
				break
			}
		}
		return nil, ok && t.endData(p) && t.resetClean(p), t.fail(StageMail, err)
	}
	res, err := recipients(rcpts, func(string) error { _, err := t.reply(p, 25); return err })
	if err != nil {
		return nil, false, t.fail(StageRcpt, err)
	}
	if len(res.Accepted) == 0 {
		return res, t.endData(p) && t.resetClean(p), noRecipientError(rcpts, res.Rejected)
	}
	if _, err := t.reply(p, 354); err != nil {
		return nil, refused(err) && t.resetClean(p), t.fail(StageData, err)
	}
	if err := t.deadline(t.c.cfg.DataTimeout); err != nil {
		return nil, false, t.fail(StageData, err)
	}
	dw := p.w.DotWriter()
	if _, err := dw.Write(msg); err != nil {
		return nil, false, t.fail(StageData, err)
	}
	if err := dw.Close(); err != nil {
		return nil, false, t.fail(StageData, err)
	}
	if err := t.deadline(t.c.cfg.DataTimeout); err != nil {
		return nil, false, t.fail(StageData, err)
	}
	_, text, err := p.r.ReadResponse(250)
	if err != nil {
		err = replyError(err)
		return nil, refused(err) && t.resetClean(p), t.fail(StageData, err)
	}
	// The message is accepted: whatever happens now is no failure.
	_ = t.deadline(0)
	res.Response = replyText(text)
	return res, p.clean(), nil
}

// deadline bounds the connection's next reads and writes by d from now
// (0 clears the bound).
func (t *txn) deadline(d time.Duration) error {
	if d == 0 {
		return t.cn.nc.SetDeadline(time.Time{})
	}
	return t.cn.nc.SetDeadline(time.Now().Add(d))
}

// reply reads the next pipelined reply within the command timeout.
func (t *txn) reply(p *pipe, expect int) (string, error) {
	if err := t.deadline(t.c.cfg.CommandTimeout); err != nil {
		return "", err
	}
	_, text, err := p.r.ReadResponse(expect)
	return text, replyError(err)
}

// endData reads the reply to a pipelined DATA sent in a transaction that
// has no accepted recipient. A server that accepts it anyway gets an empty
// message, as RFC 2920 asks. It reports whether the session can go on.
func (t *txn) endData(p *pipe) bool {
	if _, err := t.reply(p, 354); err != nil {
		return refused(err)
	}
	if err := t.deadline(t.c.cfg.DataTimeout); err != nil {
		return false
	}
	// Just the terminator: a DotWriter closed unwritten would send an
	// empty line before it.
	if _, err := p.w.W.WriteString(".\r\n"); err != nil {
		return false
	}
	if err := p.w.W.Flush(); err != nil {
		return false
	}
	_, _, err := p.r.ReadResponse(250)
	return err == nil || refused(replyError(err))
}

// resetClean sends RSET through go-smtp, after checking that the server
// sent nothing beyond the replies read.
func (t *txn) resetClean(p *pipe) bool {
	if !p.clean() {
		return false
	}
	_ = t.deadline(0)
	return t.reset()
}

// pipe reads and writes a connection's pipelined transactions. It shares
// the connection with the go-smtp client, which works in lockstep: either
// one reads only the replies to the commands it sent, so nothing is left
// buffered in the other's reader.
type pipe struct {
	r *textproto.Reader
	w *textproto.Writer
}

// pipeWriteBuffer holds a typical message and its terminator in one write.
// A transaction whose commands do not fit in it is not pipelined, so the
// commands always leave in one write and the server's replies to them
// (a few dozen bytes each) cannot fill the socket buffers while the client
// is still writing.
const pipeWriteBuffer = 32 << 10

// commandsSize bounds the bytes of a pipelined MAIL, RCPTs and DATA.
func commandsSize(from string, rcpts []string) int {
	n := len(from) + 80 // MAIL FROM:<> and its parameters, DATA
	for _, r := range rcpts {
		n += len(r) + 12 // RCPT TO:<>CRLF
	}
	return n
}

// maxReplyLine bounds a reply line as go-smtp's client does (twice RFC
// 5321's limit), so a runaway server cannot make a reply grow unbounded.
const maxReplyLine = 2000

// pipeline returns cn's pipe, making it on first use.
func (cn *conn) pipeline() *pipe {
	if cn.pipe == nil {
		cn.pipe = &pipe{
			r: textproto.NewReader(bufio.NewReader(&lineLimitReader{r: cn.stream})),
			w: textproto.NewWriter(bufio.NewWriterSize(cn.stream, pipeWriteBuffer)),
		}
	}
	return cn.pipe
}

// clean reports whether nothing the server sent is left unread: bytes
// beyond the replies to our commands mean the session is out of step.
func (p *pipe) clean() bool { return p.r.R.Buffered() == 0 }

// lineLimitReader fails with smtp.ErrTooLongLine once a line exceeds
// maxReplyLine bytes.
type lineLimitReader struct {
	r    io.Reader
	line int // bytes since the last LF
}

// Read implements io.Reader.
func (l *lineLimitReader) Read(b []byte) (int, error) {
	n, err := l.r.Read(b)
	for _, ch := range b[:n] {
		if ch == '\n' {
			l.line = 0
			continue
		}
		l.line++
		if l.line > maxReplyLine {
			return 0, smtp.ErrTooLongLine
		}
	}
	return n, err
}

// replyText drops a leading RFC 3463 enhanced status code from a reply.
func replyText(s string) string {
	_, rest, _ := splitEnhanced(s)
	return rest
}

// noRecipientError summarizes a transaction whose recipients were all
// refused: temporary if any refusal was, carrying the first such reply.
func noRecipientError(rcpts []string, rejected map[string]*Error) *Error {
	var first *Error
	for _, r := range rcpts {
		e := rejected[r]
		if e == nil {
			continue
		}
		if first == nil || (e.temporary && !first.temporary) {
			first = e
		}
	}
	return &Error{
		temporary:    first.temporary,
		Code:         first.Code,
		EnhancedCode: first.EnhancedCode,
		Message:      fmt.Sprintf("%s (all %d recipients refused)", first.Message, len(rcpts)),
		Stage:        StageRcpt,
		Err:          ErrNoRecipientAccepted,
	}
}

// recipients runs the RCPT step of each recipient with rcpt and sorts them:
// refused recipients into Rejected, the others into Accepted. Any other
// failure ends the transaction and is returned.
func recipients(rcpts []string, rcpt func(string) error) (*Result, error) {
	res := &Result{Rejected: map[string]*Error{}}
	for _, r := range rcpts {
		if err := rcpt(r); err != nil {
			if refused(err) {
				res.Rejected[r] = classify(StageRcpt, err)
				continue
			}
			return nil, err
		}
		res.Accepted = append(res.Accepted, r)
	}
	return res, nil
}
