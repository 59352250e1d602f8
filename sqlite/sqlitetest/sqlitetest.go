// Package sqlitetest damages SQLite database files on purpose, for the tests
// of what the store and the server do with a damaged database.
package sqlitetest

import (
	"bytes"
	"database/sql"
	"os"
	"testing"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// CorruptTable overwrites a page in the middle of table's B-tree — a leaf
// page, holding rows — with garbage, as a bad disk sector or a stray write
// would, and returns its page number. The database at path must be closed;
// its write-ahead log is checkpointed into the file first, so the page
// overwritten is the one SQLite reads.
func CorruptTable(tb testing.TB, path, table string) int {
	tb.Helper()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		tb.Fatal(err)
	}
	var pageSize int64
	if err := db.QueryRow(`PRAGMA page_size`).Scan(&pageSize); err != nil {
		tb.Fatal(err)
	}
	rows, err := db.Query(`SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY pageno`, table)
	if err != nil {
		tb.Fatal(err)
	}
	var leaves []int
	for rows.Next() {
		var p int
		if err := rows.Scan(&p); err != nil {
			tb.Fatal(err)
		}
		leaves = append(leaves, p)
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	rows.Close()
	if len(leaves) < 3 {
		tb.Fatalf("table %s has %d leaf pages; write more rows so that one in the middle can be damaged", table, len(leaves))
	}
	if err := db.Close(); err != nil {
		tb.Fatal(err)
	}
	page := leaves[len(leaves)/2]
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt(bytes.Repeat([]byte{0xa5}, int(pageSize)), int64(page-1)*pageSize); err != nil {
		tb.Fatal(err)
	}
	if err := f.Sync(); err != nil {
		tb.Fatal(err)
	}
	return page
}
