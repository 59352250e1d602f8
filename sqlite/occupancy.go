package sqlite

import (
	"database/sql"
	"sync/atomic"
)

// table names a table whose emptiness the store tracks.
type table int

const (
	tableSuppressions table = iota
	tableFiles
	numTables
)

// occupancy knows whether tables that are usually empty have rows, so that
// the reads of them that every send (attached files) or delivery
// (suppressions) makes are skipped while they are empty. It is exact because
// one writer makes every write: write functions change the writer's copy
// (mark), and the writer publishes it after the commit or restores it after
// a rollback. Only readers use the published copy.
type occupancy struct {
	w   [numTables]bool // the writer goroutine's copy
	pub [numTables]atomic.Bool
}

// occupied asks whether a table has rows.
var occupied = [numTables]string{
	tableSuppressions: `SELECT EXISTS (SELECT 1 FROM suppressions)`,
	tableFiles:        `SELECT EXISTS (SELECT 1 FROM attached_files)`,
}

// load reads the tables' state at start-up.
func (o *occupancy) load(db *sql.DB) error {
	for t, q := range occupied {
		if err := db.QueryRow(q).Scan(&o.w[t]); err != nil {
			return err
		}
	}
	o.publish()
	return nil
}

// mark records, inside a write, whether a table has rows.
func (o *occupancy) mark(t table, has bool) { o.w[t] = has }

func (o *occupancy) publish() {
	for t := range o.w {
		o.pub[t].Store(o.w[t])
	}
}

// has reports whether a table may have rows.
func (o *occupancy) has(t table) bool { return o.pub[t].Load() }
