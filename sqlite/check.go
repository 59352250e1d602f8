package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"strings"
	"time"
)

// DefaultCheckBudget bounds the integrity check Open runs on an existing
// database (see Options.CheckBudget).
const DefaultCheckBudget = 5 * time.Second

// maxProblems is how many of quick_check's findings an error reports.
const maxProblems = 10

// sqliteHeader starts every SQLite database file.
var sqliteHeader = []byte("SQLite format 3\x00")

// DamagedError is Open's error for a file that is not a sound connectmail
// database: empty, not SQLite, or failing SQLite's integrity check. Its
// message names the file and says how to recover.
type DamagedError struct {
	// Path is the database file.
	Path string
	// Problem says what is wrong, after the file name.
	Problem string
	// Findings are the first problems PRAGMA quick_check reported.
	Findings []string
	// Recoverable is true when SQLite's .recover can copy out what is readable.
	Recoverable bool
}

func (e *DamagedError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "sqlite database %s %s", e.Path, e.Problem)
	for _, f := range e.Findings {
		for _, line := range strings.Split(f, "\n") {
			b.WriteString("\n    " + strings.TrimSpace(line))
		}
	}
	if e.Recoverable {
		db, rec := shellQuote(e.Path), shellQuote(strings.TrimSuffix(e.Path, ".db")+"-recovered.db")
		fmt.Fprintf(&b, "\nconnectmail does not start on a damaged database. Stop every process using it, then copy what is readable"+
			" into a new database (or restore a backup):\n    sqlite3 %s .recover | sqlite3 %s\n"+
			"or, where sqlite3 has no working .recover (builds without the sqlite_dbpage table fail with \"SQL logic error\"), remove %s and:\n"+
			"    sqlite3 %s .dump | sed 's/^ROLLBACK; -- due to errors$/COMMIT;/' | sqlite3 %s\n"+
			"and start on the copy (what was on the damaged pages is lost):\n    connectmail serve --db %s",
			db, rec, rec, db, rec, shellQuote("sqlite:"+strings.TrimSuffix(e.Path, ".db")+"-recovered.db"))
	}
	return b.String()
}

// shellQuote quotes s for a POSIX shell when it needs quoting.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:+=@") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// precheck looks at an existing database file before SQLite opens it: an
// empty file or one that does not start with SQLite's header is refused, since
// SQLite would silently make a new database of the first and fail obscurely
// on the second. A missing file is fine (a new database).
func precheck(path string) (exists bool, err error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	defer f.Close()
	head := make([]byte, len(sqliteHeader))
	n, err := io.ReadFull(f, head)
	switch {
	case n == 0 && (errors.Is(err, io.EOF)):
		if wal, werr := os.Stat(path + "-wal"); werr == nil && wal.Size() > 0 {
			// Every page may still be in the write-ahead log; SQLite and the
			// integrity check decide.
			return true, nil
		}
		return true, &DamagedError{Path: path, Problem: "is an empty file (0 bytes), not a connectmail database. " +
			"connectmail does not make a new database in its place: remove the file to start with a new, empty database, " +
			"or point --db at the right file"}
	case err != nil && !errors.Is(err, io.ErrUnexpectedEOF):
		return true, err
	case !bytes.Equal(head[:n], sqliteHeader):
		return true, &DamagedError{Path: path, Problem: "is not an SQLite database (it does not start with the SQLite header); point --db at a connectmail database"}
	}
	return true, nil
}

// integrityCheck runs PRAGMA quick_check on db within budget: it first reads
// the file once in order (which turns the check's scattered page reads into
// page-cache hits: measured 22 s for a cold 900 MB file without it, 1-3 s with
// it), then checks. A check that runs out of time is logged as incomplete and
// passes; a check that finds damage fails Open.
func integrityCheck(db *sql.DB, path string, budget time.Duration, log *slog.Logger) error {
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), budget)
	defer cancel()
	size := prefetch(ctx, path, start.Add(budget/2))
	rows, err := db.QueryContext(ctx, fmt.Sprintf("PRAGMA quick_check(%d)", maxProblems))
	var findings []string
	if err == nil {
		for rows.Next() {
			var f string
			if err = rows.Scan(&f); err != nil {
				break
			}
			findings = append(findings, f)
		}
		if err == nil {
			err = rows.Err()
		}
		rows.Close()
	}
	took := time.Since(start).Round(time.Millisecond)
	if ctx.Err() != nil {
		log.Warn("database integrity check incomplete: out of time; started without it",
			"db", path, "bytes", size, "budget", budget, "check", fmt.Sprintf("sqlite3 %s 'PRAGMA quick_check'", shellQuote(path)))
		return nil
	}
	if err == nil && len(findings) == 1 && findings[0] == "ok" {
		log.Debug("database integrity check passed", "db", path, "bytes", size, "took", took)
		return nil
	}
	if len(findings) == 0 {
		return &DamagedError{Path: path, Problem: "cannot be checked (PRAGMA quick_check): " + err.Error(), Recoverable: true}
	}
	// The check reports what it found, then (since SQLite 3.4x) fails itself
	// with SQLITE_CORRUPT: the findings say more.
	return &DamagedError{Path: path, Problem: "failed SQLite's integrity check (PRAGMA quick_check):", Findings: findings, Recoverable: true}
}

// prefetch reads the file once in order, until its end or until, and
// returns its size.
func prefetch(ctx context.Context, path string, until time.Time) int64 {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	var size int64
	if fi, err := f.Stat(); err == nil {
		size = fi.Size()
	}
	buf := make([]byte, 1<<20)
	for ctx.Err() == nil && time.Now().Before(until) {
		if _, err := f.Read(buf); err != nil {
			break
		}
	}
	return size
}
