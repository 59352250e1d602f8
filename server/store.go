package server

import (
	"fmt"
	"io"

	"github.com/connectmail/connectmail/connect"
	"github.com/connectmail/connectmail/delivery"
	"github.com/connectmail/connectmail/events"
	"github.com/connectmail/connectmail/inspect"
)

// stores are the store the server opened (engine) as the interface each of
// the server's parts declares; sqlite.Store and postgres.Store implement
// all of them. Parts with optional abilities (a cluster, a writer's
// statistics, message templates, a health check) assert them on engine.
type stores struct {
	engine  io.Closer
	connect connect.Stores
	queue   delivery.Store
	log     events.Log
	cursors events.Cursors
	inspect inspect.Store
}

// storesOf splits engine into the stores of the server's parts.
func storesOf(engine io.Closer) (*stores, error) {
	st := &stores{engine: engine, connect: connect.StoresOf(engine)}
	var ok [4]bool
	st.queue, ok[0] = engine.(delivery.Store)
	st.log, ok[1] = engine.(events.Log)
	st.cursors, ok[2] = engine.(events.Cursors)
	st.inspect, ok[3] = engine.(inspect.Store)
	if !st.connect.Complete() || ok != [4]bool{true, true, true, true} {
		return nil, fmt.Errorf("the store %T does not implement every store the server needs", engine)
	}
	return st, nil
}

// Close closes the store.
func (s *stores) Close() error { return s.engine.Close() }
