package sqlstore

import (
	"context"

	"github.com/connectmail/connectmail/connect"
)

const fileCols = `id, instance_id, arn, resource_arn, name, size, use_case, content_type, status, created_at, created_by_user, created_by_identity, tags`

func scanFile(row Row) (*connect.File, error) {
	var f connect.File
	if err := row.Scan(&f.ID, &f.InstanceID, &f.ARN, &f.AssociatedResourceARN, &f.Name, &f.Size, &f.UseCase, &f.ContentType, &f.Status,
		TimeCol{&f.CreatedAt}, &f.CreatedBy.ConnectUserArn, &f.CreatedBy.AWSIdentityArn, JSONCol{&f.Tags}, &f.Uploaded); err != nil {
		return nil, err
	}
	return &f, nil
}

const selectFile = `SELECT ` + fileCols + `, data IS NOT NULL FROM attached_files`

// CreateFile implements connect.FileStore. Creations for one resource are
// serialized (Tx.Lock), so that the limits hold across processes.
func (s *Store) CreateFile(ctx context.Context, f *connect.File, limits connect.FileLimits, idem *connect.Idem) error {
	return s.write(ctx, Write{Idem: idem}, func(tx Tx) error {
		if err := tx.Lock(ctx, "files:"+f.InstanceID+"\x00"+f.AssociatedResourceARN); err != nil {
			return err
		}
		var n int
		var total int64
		if err := tx.QueryRow(ctx, s.q(`SELECT COUNT(*), COALESCE(SUM(size), 0) FROM attached_files WHERE instance_id = ? AND resource_arn = ?`),
			f.InstanceID, f.AssociatedResourceARN).Scan(&n, &total); err != nil {
			return err
		}
		if err := limits.Check(n, total, f.Size); err != nil {
			return err
		}
		if err := tx.Queue(ctx, s.q(`INSERT INTO attached_files(`+fileCols+`) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)`),
			f.ID, f.InstanceID, f.ARN, f.AssociatedResourceARN, f.Name, f.Size, f.UseCase, f.ContentType, f.Status, s.d.Time(f.CreatedAt),
			f.CreatedBy.ConnectUserArn, f.CreatedBy.AWSIdentityArn, JSON(f.Tags)); err != nil {
			return err
		}
		// Files are only removed with their instance.
		return tx.Changed(ctx, Files, true)
	})
}

// GetFile implements connect.FileStore.
func (s *Store) GetFile(ctx context.Context, instanceID, id string) (*connect.File, error) {
	f, err := scanFile(s.read().QueryRow(ctx, s.q(selectFile+` WHERE instance_id = ? AND id = ?`), instanceID, id))
	if noRows(err) {
		return nil, connect.ErrFileNotFound
	}
	return f, err
}

// ListFiles implements connect.FileStore.
func (s *Store) ListFiles(ctx context.Context, instanceID, associatedARN string) ([]*connect.File, error) {
	if !s.e.Occupied(Files) {
		return nil, nil
	}
	rows, err := s.read().Query(ctx, s.q(selectFile+` WHERE instance_id = ? AND resource_arn = ? ORDER BY created_at, id`), instanceID, associatedARN)
	return Collect(rows, err, scanFile)
}

// fileStatus reads a file's status, locking the row.
func (s *Store) fileStatus(ctx context.Context, tx Tx, instanceID, id string) (string, error) {
	var status string
	err := tx.QueryRow(ctx, s.q(`SELECT status FROM attached_files WHERE instance_id = ? AND id = ?`+s.d.LockRows), instanceID, id).Scan(&status)
	if noRows(err) {
		return "", connect.ErrFileNotFound
	}
	return status, err
}

// PutFileData implements connect.FileStore.
func (s *Store) PutFileData(ctx context.Context, instanceID, id string, data []byte) error {
	if data == nil {
		data = []byte{}
	}
	return s.write(ctx, Write{}, func(tx Tx) error {
		status, err := s.fileStatus(ctx, tx, instanceID, id)
		if err != nil {
			return err
		}
		if status != connect.FileProcessing {
			return connect.ErrFileStatus
		}
		return tx.Queue(ctx, s.q(`UPDATE attached_files SET data = ? WHERE instance_id = ? AND id = ?`), data, instanceID, id)
	})
}

// FileData implements connect.FileStore.
func (s *Store) FileData(ctx context.Context, instanceID, id string) ([]byte, error) {
	var data []byte
	err := s.read().QueryRow(ctx, s.q(`SELECT data FROM attached_files WHERE instance_id = ? AND id = ? AND data IS NOT NULL`), instanceID, id).Scan(&data)
	if noRows(err) {
		return nil, connect.ErrFileNoData
	}
	if data == nil && err == nil {
		data = []byte{}
	}
	return data, err
}

// SetFileStatus implements connect.FileStore.
func (s *Store) SetFileStatus(ctx context.Context, instanceID, id, from, to string) error {
	return s.write(ctx, Write{}, func(tx Tx) error {
		status, err := s.fileStatus(ctx, tx, instanceID, id)
		if err != nil {
			return err
		}
		if status != from {
			return connect.ErrFileStatus
		}
		return tx.Queue(ctx, s.q(`UPDATE attached_files SET status = ? WHERE instance_id = ? AND id = ?`), to, instanceID, id)
	})
}
