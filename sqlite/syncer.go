package sqlite

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync/atomic"
)

// syncer makes committed writes durable behind the writer: with durable
// writes, committed batches wait in acks for the fsync of the WAL that
// follows their commit, and only then hear their outcome (see run). It also
// keeps the last storage failure for Ping, with or without durable writes.
type syncer struct {
	acks  chan []*writeReq // nil without durable writes
	acked chan struct{}
	// inflight counts batches handed to the syncer and not yet acknowledged;
	// synced is poked after each fsync.
	inflight atomic.Int64
	synced   chan struct{}
	walPath  string
	wal      *os.File
	// fsync makes a file durable: (*os.File).Sync, replaced in tests.
	fsync func(*os.File) error
	syncs atomic.Int64
	// storageErr is the last failed commit or WAL sync, nil once one succeeds.
	storageErr atomic.Pointer[error]
}

// start makes writes durable for the database at path: the migrations are
// committed but perhaps not on disk, nor the WAL file's directory entry, so
// it makes both durable before any write, then starts run.
func (y *syncer) start(path string) error {
	y.walPath = path + "-wal"
	if err := y.syncWAL(); err != nil {
		return fmt.Errorf("syncing the write-ahead log: %w", err)
	}
	if err := syncDir(filepath.Dir(path)); err != nil {
		return fmt.Errorf("syncing the database directory: %w", err)
	}
	y.acks = make(chan []*writeReq, 64)
	y.synced = make(chan struct{}, 1)
	y.acked = make(chan struct{})
	go y.run()
	return nil
}

// run reports committed writes to their callers once they are durable:
// it fsyncs the WAL after their commit, taking every batch committed so far
// into the same fsync, while the writer already runs the next batches.
func (y *syncer) run() {
	defer close(y.acked)
	var group []*writeReq
	for b := range y.acks {
		group = append(group[:0], b...)
		batches := 1
	more:
		for {
			select {
			case b, ok := <-y.acks:
				if !ok {
					break more
				}
				group = append(group, b...)
				batches++
			default:
				break more
			}
		}
		err := y.syncWAL()
		y.note(err)
		for _, r := range group {
			if r.res == nil && err != nil {
				r.res = fmt.Errorf("committed but not made durable: %w", err)
			}
			r.err <- r.res
		}
		y.inflight.Add(-int64(batches))
		select {
		case y.synced <- struct{}{}:
		default:
		}
	}
	if y.wal != nil {
		y.wal.Close()
	}
}

// syncWAL fsyncs the write-ahead log, reopening it if SQLite replaced the
// file. A missing log has nothing to sync: SQLite removes it only after
// checkpointing (and fsyncing) everything in it into the database.
func (y *syncer) syncWAL() error {
	y.syncs.Add(1)
	fi, err := os.Stat(y.walPath)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if y.wal != nil {
		if cur, err := y.wal.Stat(); err != nil || !os.SameFile(cur, fi) {
			y.wal.Close()
			y.wal = nil
		}
	}
	if y.wal == nil {
		if y.wal, err = os.Open(y.walPath); err != nil {
			return err
		}
	}
	return y.fsync(y.wal)
}

// note records the outcome of a commit or a sync of the write-ahead log
// for Ping: a failure stays reported until one succeeds.
func (y *syncer) note(err error) {
	if err == nil {
		if y.storageErr.Load() != nil {
			y.storageErr.Store(nil)
		}
		return
	}
	y.storageErr.Store(&err)
}

// syncDir fsyncs a directory, making the files created in it durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
