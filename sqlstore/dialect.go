package sqlstore

import (
	"strconv"
	"strings"
	"sync"
	"time"
)

// TimeStyle is how an engine stores times.
type TimeStyle int

// The time representations.
const (
	// UnixMillis stores times as integer milliseconds since the epoch, 0
	// for the zero time (SQLite).
	UnixMillis TimeStyle = iota
	// Timestamps stores times as timestamps in UTC at millisecond
	// precision, NULL for the zero time in nullable columns (PostgreSQL's
	// timestamptz).
	Timestamps
)

// Dialect is how an engine's SQL differs from the shared queries'.
type Dialect struct {
	// Numbered rebinds ? placeholders as $1, $2, ... (PostgreSQL).
	Numbered bool
	// Times is how times are stored.
	Times TimeStyle
	// LockRows is appended to a SELECT that reads rows the transaction then
	// changes (" FOR UPDATE"; empty for an engine whose writes are serial).
	LockRows string
	// LockRowsNoKey is LockRows for a row that other transactions may keep
	// referring to meanwhile (" FOR NO KEY UPDATE": inserting a row whose
	// foreign key names it does not wait).
	LockRowsNoKey string
	// Greatest is the function of the larger of two values (MAX, GREATEST).
	Greatest string
	// FoldedEq compares a text column with a parameter case-insensitively,
	// given the column: "%s = ? COLLATE NOCASE" or "lower(%s) = ?"; the
	// parameter goes through Fold first.
	FoldedEq string
	// LowerArgs says Fold lower-cases (for FoldedEq's "lower(col) = ?").
	LowerArgs bool
	// Like is the case-insensitive LIKE operator (LIKE, ILIKE), and
	// LikeDrop the characters removed from a searched substring.
	Like, LikeDrop string
	// Unique reports a unique-constraint violation.
	Unique func(error) bool

	mu    sync.Mutex
	bound map[string]string
}

// Q returns query with its placeholders in the dialect's form.
func (d *Dialect) Q(query string) string {
	if !d.Numbered {
		return query
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if q, ok := d.bound[query]; ok {
		return q
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	if d.bound == nil || len(d.bound) > 4096 {
		d.bound = map[string]string{}
	}
	d.bound[query] = b.String()
	return d.bound[query]
}

// Time is the stored form of t for a NOT NULL column.
func (d *Dialect) Time(t time.Time) any {
	if d.Times == UnixMillis {
		if t.IsZero() {
			return int64(0)
		}
		return t.UnixMilli()
	}
	return t.UTC().Truncate(time.Millisecond)
}

// NullTime is the stored form of t for a column where the zero time is NULL
// (0 for UnixMillis).
func (d *Dialect) NullTime(t time.Time) any {
	if t.IsZero() && d.Times == Timestamps {
		return nil
	}
	return d.Time(t)
}

// EqFold is the condition "col equals ? whatever the case".
func (d *Dialect) EqFold(col string) string {
	return strings.ReplaceAll(d.FoldedEq, "%s", col)
}

// Fold is the argument of an EqFold condition.
func (d *Dialect) Fold(s string) string {
	if d.LowerArgs {
		return strings.ToLower(s)
	}
	return s
}

// Contains is the LIKE pattern that finds s anywhere (wildcards dropped).
func (d *Dialect) Contains(s string) string {
	for _, c := range d.LikeDrop {
		s = strings.ReplaceAll(s, string(c), "")
	}
	return "%" + s + "%"
}

// IsUnique reports a unique-constraint violation.
func (d *Dialect) IsUnique(err error) bool { return err != nil && d.Unique != nil && d.Unique(err) }

// ZeroTime is the condition "the nullable time column col holds the zero time".
func (d *Dialect) ZeroTime(col string) string {
	if d.Times == Timestamps {
		return col + " IS NULL"
	}
	return col + " = 0"
}
