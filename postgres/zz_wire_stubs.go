package postgres

// PLACEHOLDER written by the wire-fidelity engineer so that the repository
// compiles while connect.Store grows (see connect/store.go, section "The
// email surface beyond the spine"). Every method fails with "not
// implemented yet". Delete this file when the real implementations land
// (the SQLite versions are in sqlite/connect_extra.go, schema in
// sqlite/migrations/0004_wire.sql).

import (
	"context"

	"github.com/connectmail/connectmail/connect"
	"github.com/connectmail/connectmail/fault"
)

func notYet(op string) error {
	return fault.New(fault.Internal, "postgres: %s is not implemented yet", op)
}

// CreateContactMessage implements connect.Store (placeholder).
func (s *Store) CreateContactMessage(context.Context, *connect.Outbound, bool) error {
	return notYet("CreateContactMessage")
}

// ModifyContact implements connect.Store (placeholder).
func (s *Store) ModifyContact(context.Context, string, string, func(*connect.Contact) ([]connect.Event, error)) error {
	return notYet("ModifyContact")
}

// ModifyEmailAddresses implements connect.Store (placeholder).
func (s *Store) ModifyEmailAddresses(context.Context, string, *connect.Idem, func([]*connect.EmailAddress) ([]*connect.EmailAddress, error)) error {
	return notYet("ModifyEmailAddresses")
}

// ModifyTags implements connect.Store (placeholder).
func (s *Store) ModifyTags(context.Context, connect.ResourceRef, func(map[string]string) (map[string]string, error)) error {
	return notYet("ModifyTags")
}

// CreateFile implements connect.Store (placeholder).
func (s *Store) CreateFile(context.Context, *connect.File, connect.FileLimits, *connect.Idem) error {
	return notYet("CreateFile")
}

// GetFile implements connect.Store (placeholder).
func (s *Store) GetFile(context.Context, string, string) (*connect.File, error) {
	return nil, notYet("GetFile")
}

// ListFiles implements connect.Store (placeholder).
func (s *Store) ListFiles(context.Context, string, string) ([]*connect.File, error) {
	return nil, nil
}

// PutFileData implements connect.Store (placeholder).
func (s *Store) PutFileData(context.Context, string, string, []byte) error {
	return notYet("PutFileData")
}

// FileData implements connect.Store (placeholder).
func (s *Store) FileData(context.Context, string, string) ([]byte, error) {
	return nil, notYet("FileData")
}

// SetFileStatus implements connect.Store (placeholder).
func (s *Store) SetFileStatus(context.Context, string, string, string, string) error {
	return notYet("SetFileStatus")
}

// ModifyQueueEmailAddresses implements connect.Store (placeholder).
func (s *Store) ModifyQueueEmailAddresses(context.Context, string, string, func([]connect.QueueEmailAddress) ([]connect.QueueEmailAddress, error)) error {
	return notYet("ModifyQueueEmailAddresses")
}

// ListQueueEmailAddresses implements connect.Store (placeholder).
func (s *Store) ListQueueEmailAddresses(context.Context, string, string) ([]connect.QueueEmailAddress, error) {
	return nil, nil
}
