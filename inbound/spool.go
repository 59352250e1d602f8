package inbound

import (
	"bytes"
	"errors"
	"io"
	"os"
)

// headBytes is how much of a message is kept in memory while it arrives;
// the rest goes to a file in the spool directory. A sender that trickles a
// large message therefore holds at most this much memory, and the number of
// sessions bounds the total.
const headBytes = 64 << 10

// spooled is a message as it arrived: in head alone, or, when it is larger
// than headBytes, in file.
type spooled struct {
	head *bytes.Buffer
	file *os.File
	size int64
}

// readError marks a failure to read the message from the sender, as
// opposed to a failure to write it to the spool.
type readError struct{ err error }

func (e readError) Error() string { return e.err.Error() }
func (e readError) Unwrap() error { return e.err }

// errRecorder remembers the error of its reader.
type errRecorder struct {
	r   io.Reader
	err error
}

func (e *errRecorder) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil && err != io.EOF {
		e.err = err
	}
	return n, err
}

// spool reads a whole message from r. An error from r comes back as a
// readError; any other error is the spool's.
func spool(r io.Reader, dir string) (*spooled, error) {
	src := &errRecorder{r: r}
	m := &spooled{head: new(bytes.Buffer)}
	n, err := io.CopyN(m.head, src, headBytes+1)
	m.size = n
	if errors.Is(err, io.EOF) {
		return m, nil
	}
	if err != nil {
		return nil, readError{err}
	}
	f, err := os.CreateTemp(dir, "connectmail-smtp-*.eml")
	if err != nil {
		return nil, err
	}
	m.file = f
	if _, err := f.Write(m.head.Bytes()); err != nil {
		m.close()
		return nil, err
	}
	m.head = nil
	n, err = io.Copy(f, src)
	m.size += n
	if err != nil {
		m.close()
		if src.err != nil {
			return nil, readError{src.err}
		}
		return nil, err
	}
	return m, nil
}

// bytes returns the whole message.
func (m *spooled) bytes() ([]byte, error) {
	if m.file == nil {
		return m.head.Bytes(), nil
	}
	b := make([]byte, m.size)
	if n, err := m.file.ReadAt(b, 0); n < len(b) {
		return nil, err
	}
	return b, nil
}

// close removes the spool file, if any.
func (m *spooled) close() {
	if m.file != nil {
		_ = m.file.Close()
		_ = os.Remove(m.file.Name())
	}
}
