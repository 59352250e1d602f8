package sqlite

import (
	"database/sql"
	"strings"

	"github.com/connectmail/connectmail/connect"
	"github.com/connectmail/connectmail/sqlstore"
)

// insertEvents appends events to the log (sqlstore.Tx.AddEvents).
func (s *Store) insertEvents(tx *sql.Tx, evs []connect.Event) error {
	if len(evs) == 0 {
		return nil
	}
	// One statement for all of them: rowids of one INSERT are consecutive
	// (INTEGER PRIMARY KEY takes max+1 per row), so the ids follow from the last.
	q := `INSERT INTO events(contact_id, instance_id, type, time, detail) VALUES (?,?,?,?,?)` + strings.Repeat(`,(?,?,?,?,?)`, len(evs)-1)
	args := make([]any, 0, 5*len(evs))
	for i := range evs {
		e := &evs[i]
		args = append(args, e.ContactID, e.InstanceID, e.Type, ms(e.Time), sqlstore.JSON(e.Detail))
	}
	res, err := s.w.exec(tx, q, args...)
	if err != nil {
		return err
	}
	last, err := res.LastInsertId()
	if err != nil {
		return err
	}
	for i := range evs {
		evs[i].ID = last - int64(len(evs)-1-i)
	}
	return nil
}
