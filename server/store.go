package server

import (
	"io"

	"github.com/connectmail/connectmail/connect"
	"github.com/connectmail/connectmail/delivery"
	"github.com/connectmail/connectmail/events"
	"github.com/connectmail/connectmail/inspect"
)

// store is what the server's parts need of the store it opens, each part
// through the interface it declares; sqlite.Store and postgres.Store
// implement all of them.
type store interface {
	connect.Store
	delivery.Store
	events.Log
	events.Cursors
	inspect.Store
	io.Closer
}
