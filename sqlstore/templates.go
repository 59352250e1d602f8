package sqlstore

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/connectmail/connectmail/connect"
	"github.com/connectmail/connectmail/render"
	"github.com/connectmail/connectmail/storedoc"
	"github.com/connectmail/connectmail/template"
)

var (
	_ template.KnowledgeBaseStore = (*Store)(nil)
	_ template.TemplateStore      = (*Store)(nil)
	_ template.AttachmentStore    = (*Store)(nil)
)

// writeTemplates runs fn in a write transaction that checks and records
// idem. The template operations share the idempotency table and its rules
// with the Connect operations (template.Idem has connect.Idem's layout);
// a replay comes back as *template.Replayed.
func (s *Store) writeTemplates(ctx context.Context, idem *template.Idem, fn func(tx Tx) error) error {
	err := s.write(ctx, Write{Idem: (*connect.Idem)(idem)}, fn)
	var r *connect.Replayed
	if errors.As(err, &r) {
		return &template.Replayed{Response: r.Response}
	}
	return err
}

// ---- knowledge bases ----

const kbCols = `id, region, arn, name, description, kb_type, status, kms_key_id, created_at, content_modified_at, tags`

func scanKB(row Row) (*template.KnowledgeBase, error) {
	var kb template.KnowledgeBase
	if err := row.Scan(&kb.ID, &kb.Region, &kb.ARN, &kb.Name, &kb.Description, &kb.Type, &kb.Status, &kb.KMSKeyID,
		TimeCol{&kb.CreatedAt}, TimeCol{&kb.ContentModifiedAt}, JSONCol{&kb.Tags}); err != nil {
		return nil, err
	}
	return &kb, nil
}

// CreateKnowledgeBase implements template.KnowledgeBaseStore. Creations in
// one region are serialized (Tx.Lock) so that the limit holds across nodes.
func (s *Store) CreateKnowledgeBase(ctx context.Context, kb *template.KnowledgeBase, max int, idem *template.Idem) error {
	return s.writeTemplates(ctx, idem, func(tx Tx) error {
		if err := tx.Lock(ctx, "kb-region:"+kb.Region); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(ctx, s.q(`SELECT COUNT(*) FROM q_knowledge_bases WHERE region = ?`), kb.Region).Scan(&n); err != nil {
			return err
		}
		if n >= max {
			return template.ErrLimit
		}
		_, err := tx.Exec(ctx, s.q(`INSERT INTO q_knowledge_bases(`+kbCols+`) VALUES (?,?,?,?,?,?,?,?,?,?,?)`),
			kb.ID, kb.Region, kb.ARN, kb.Name, kb.Description, kb.Type, kb.Status, kb.KMSKeyID,
			s.d.Time(kb.CreatedAt), s.d.Time(kb.ContentModifiedAt), JSON(kb.Tags))
		if s.d.IsUnique(err) {
			return template.ErrKnowledgeBaseNameTaken
		}
		return err
	})
}

// GetKnowledgeBase implements template.KnowledgeBaseStore.
func (s *Store) GetKnowledgeBase(ctx context.Context, region, id string) (*template.KnowledgeBase, error) {
	kb, err := scanKB(s.read().QueryRow(ctx, s.q(`SELECT `+kbCols+` FROM q_knowledge_bases WHERE id = ? AND region = ?`), id, region))
	if noRows(err) {
		return nil, template.ErrKnowledgeBaseNotFound
	}
	return kb, err
}

// ListKnowledgeBases implements template.KnowledgeBaseStore.
func (s *Store) ListKnowledgeBases(ctx context.Context, region string) ([]*template.KnowledgeBase, error) {
	rows, err := s.read().Query(ctx, s.q(`SELECT `+kbCols+` FROM q_knowledge_bases WHERE region = ? ORDER BY seq`), region)
	return Collect(rows, err, scanKB)
}

// ModifyKnowledgeBaseTags implements template.KnowledgeBaseStore.
func (s *Store) ModifyKnowledgeBaseTags(ctx context.Context, region, id string, fn func(map[string]string) (map[string]string, error)) error {
	return s.write(ctx, Write{}, func(tx Tx) error {
		tags := map[string]string{}
		err := tx.QueryRow(ctx, s.q(`SELECT tags FROM q_knowledge_bases WHERE id = ? AND region = ?`+s.d.LockRowsNoKey), id, region).Scan(JSONCol{&tags})
		if noRows(err) {
			return template.ErrKnowledgeBaseNotFound
		}
		if err != nil {
			return err
		}
		out, err := fn(tags)
		if err != nil {
			return err
		}
		return tx.Queue(ctx, s.q(`UPDATE q_knowledge_bases SET tags = ? WHERE id = ?`), JSON(out), id)
	})
}

// collectFiles deletes attachment files no version refers to any more.
func (s *Store) collectFiles(ctx context.Context, tx Tx) error {
	return tx.Queue(ctx, `DELETE FROM q_attachment_files WHERE NOT EXISTS
		(SELECT 1 FROM q_template_attachments ta WHERE ta.attachment_id = q_attachment_files.id)`)
}

// DeleteKnowledgeBase implements template.KnowledgeBaseStore.
func (s *Store) DeleteKnowledgeBase(ctx context.Context, region, id string) error {
	return s.write(ctx, Write{}, func(tx Tx) error {
		n, err := tx.Exec(ctx, s.q(`DELETE FROM q_knowledge_bases WHERE id = ? AND region = ?`), id, region)
		if err != nil {
			return err
		}
		if n == 0 {
			return template.ErrKnowledgeBaseNotFound
		}
		return s.collectFiles(ctx, tx)
	})
}

// ---- templates and versions ----

const templateCols = `t.id, t.kb_id, t.name, t.description, t.channel_subtype, t.grouping, t.tags, t.created_at, t.active_version, t.last_version, t.revision`

const versionCols = `v.template_id, v.version, v.content, v.language, v.default_attributes, v.sha256, v.modified_at, v.modified_by`

// versionDest is the scan destinations of versionCols and the JSON they
// hold until decode.
type versionDest struct {
	v              template.Version
	tid            string
	content, attrs json.RawMessage
}

func (d *versionDest) dest() []any {
	return []any{&d.tid, &d.v.Number, RawCol{&d.content}, &d.v.Language, RawCol{&d.attrs}, &d.v.SHA256, TimeCol{&d.v.ModifiedAt}, &d.v.ModifiedBy}
}

func (d *versionDest) decode() (*template.Version, error) {
	if len(d.content) > 0 {
		var err error
		if d.v.Content, err = storedoc.ParseTemplateContent(d.content); err != nil {
			return nil, err
		}
	}
	if len(d.attrs) > 0 {
		d.v.DefaultAttributes = &render.Attributes{}
		if err := json.Unmarshal(d.attrs, d.v.DefaultAttributes); err != nil {
			return nil, err
		}
	}
	return &d.v, nil
}

func scanVersion(row Row) (*template.Version, error) {
	var d versionDest
	if err := row.Scan(d.dest()...); err != nil {
		return nil, err
	}
	return d.decode()
}

// scanTemplate scans templateCols and the versionCols of $LATEST.
func scanTemplate(row Row) (*template.Template, error) {
	var t template.Template
	var grouping json.RawMessage
	var d versionDest
	if err := row.Scan(append([]any{&t.ID, &t.KnowledgeBaseID, &t.Name, &t.Description, &t.ChannelSubtype, RawCol{&grouping}, JSONCol{&t.Tags},
		TimeCol{&t.CreatedAt}, &t.ActiveVersion, &t.LastVersion, &t.Revision}, d.dest()...)...); err != nil {
		return nil, err
	}
	if len(grouping) > 0 {
		var err error
		if t.Grouping, err = storedoc.ParseGrouping(grouping); err != nil {
			return nil, err
		}
	}
	var err error
	t.Latest, err = d.decode()
	return &t, err
}

// attachmentsOf loads the attachments of the versions selected by where (a
// condition on ta), keyed by template id and version.
func (s *Store) attachmentsOf(ctx context.Context, where string, args ...any) (map[string]map[int64][]template.Attachment, error) {
	rows, err := s.read().Query(ctx, s.q(`SELECT ta.template_id, ta.version, f.id, ta.name, f.content_type, f.size, f.sha256, f.uploaded_at
		FROM q_template_attachments ta JOIN q_attachment_files f ON f.id = ta.attachment_id
		WHERE `+where+` ORDER BY ta.template_id, ta.version, ta.pos`), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]map[int64][]template.Attachment{}
	for rows.Next() {
		var tid string
		var n int64
		var a template.Attachment
		if err := rows.Scan(&tid, &n, &a.ID, &a.Name, &a.ContentType, &a.Size, &a.SHA256, TimeCol{&a.UploadedAt}); err != nil {
			return nil, err
		}
		if out[tid] == nil {
			out[tid] = map[int64][]template.Attachment{}
		}
		out[tid][n] = append(out[tid][n], a)
	}
	return out, rows.Err()
}

// listTemplates loads templates (with $LATEST) matching where (a condition on t).
func (s *Store) listTemplates(ctx context.Context, where string, args ...any) ([]*template.Template, error) {
	rows, err := s.read().Query(ctx, s.q(`SELECT `+templateCols+`, `+versionCols+`
		FROM q_templates t JOIN q_template_versions v ON v.template_id = t.id AND v.version = 0
		WHERE `+where+` ORDER BY t.seq`), args...)
	return Collect(rows, err, scanTemplate)
}

// CreateTemplate implements template.TemplateStore. Creations in one
// knowledge base are serialized (by a lock on its row) so that the limit
// holds across nodes.
func (s *Store) CreateTemplate(ctx context.Context, t *template.Template, max int, idem *template.Idem) error {
	err := s.writeTemplates(ctx, idem, func(tx Tx) error {
		var one, n int
		err := tx.QueryRow(ctx, s.q(`SELECT 1 FROM q_knowledge_bases WHERE id = ?`+s.d.LockRowsNoKey), t.KnowledgeBaseID).Scan(&one)
		if noRows(err) {
			return template.ErrKnowledgeBaseNotFound
		}
		if err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, s.q(`SELECT COUNT(*) FROM q_templates WHERE kb_id = ?`), t.KnowledgeBaseID).Scan(&n); err != nil {
			return err
		}
		if n >= max {
			return template.ErrLimit
		}
		_, err = tx.Exec(ctx, s.q(`INSERT INTO q_templates(id, kb_id, name, description, channel_subtype, grouping, tags, created_at, active_version, last_version, revision)
			VALUES (?,?,?,?,?,?,?,?,0,0,1)`),
			t.ID, t.KnowledgeBaseID, t.Name, t.Description, t.ChannelSubtype, JSON(storedoc.Grouping(t.Grouping)), JSON(t.Tags), s.d.Time(t.CreatedAt))
		if s.d.IsUnique(err) {
			return template.ErrTemplateNameTaken
		}
		if err != nil {
			return err
		}
		if err := s.insertVersion(ctx, tx, t.ID, t.Latest); err != nil {
			return err
		}
		return s.touchKB(ctx, tx, t.KnowledgeBaseID, t.Latest.ModifiedAt)
	})
	if err == nil {
		t.Revision = 1
	}
	return err
}

func (s *Store) insertVersion(ctx context.Context, tx Tx, templateID string, v *template.Version) error {
	return tx.Queue(ctx, s.q(`INSERT INTO q_template_versions(template_id, version, content, language, default_attributes, sha256, modified_at, modified_by)
		VALUES (?,?,?,?,?,?,?,?)`),
		templateID, v.Number, JSON(storedoc.TemplateContent(v.Content)), v.Language, JSON(v.DefaultAttributes), v.SHA256, s.d.Time(v.ModifiedAt), v.ModifiedBy)
}

// touchKB advances a knowledge base's content modification time to at.
func (s *Store) touchKB(ctx context.Context, tx Tx, kbID string, at time.Time) error {
	if at.IsZero() {
		at = time.Now()
	}
	return tx.Queue(ctx, s.q(`UPDATE q_knowledge_bases SET content_modified_at = `+s.d.Greatest+`(content_modified_at, ?) WHERE id = ?`), s.d.Time(at), kbID)
}

// GetTemplate implements template.TemplateStore.
func (s *Store) GetTemplate(ctx context.Context, kbID, id string) (*template.Template, error) {
	list, err := s.listTemplates(ctx, `t.id = ? AND t.kb_id = ?`, id, kbID)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, template.ErrTemplateNotFound
	}
	atts, err := s.attachmentsOf(ctx, `ta.template_id = ? AND ta.version = 0`, id)
	if err != nil {
		return nil, err
	}
	list[0].Latest.Attachments = atts[id][0]
	return list[0], nil
}

// ListTemplates implements template.TemplateStore.
func (s *Store) ListTemplates(ctx context.Context, kbID string) ([]*template.Template, error) {
	list, err := s.listTemplates(ctx, `t.kb_id = ?`, kbID)
	if err != nil {
		return nil, err
	}
	atts, err := s.attachmentsOf(ctx, `ta.version = 0 AND ta.template_id IN (SELECT id FROM q_templates WHERE kb_id = ?)`, kbID)
	if err != nil {
		return nil, err
	}
	for _, t := range list {
		t.Latest.Attachments = atts[t.ID][0]
	}
	return list, nil
}

// GetVersion implements template.TemplateStore.
func (s *Store) GetVersion(ctx context.Context, templateID string, n int64) (*template.Version, error) {
	v, err := scanVersion(s.read().QueryRow(ctx, s.q(`SELECT `+versionCols+` FROM q_template_versions v WHERE v.template_id = ? AND v.version = ?`), templateID, n))
	if noRows(err) {
		return nil, template.ErrVersionNotFound
	}
	if err != nil {
		return nil, err
	}
	atts, err := s.attachmentsOf(ctx, `ta.template_id = ? AND ta.version = ?`, templateID, n)
	if err != nil {
		return nil, err
	}
	v.Attachments = atts[templateID][n]
	return v, nil
}

// ListVersions implements template.TemplateStore.
func (s *Store) ListVersions(ctx context.Context, templateID string) ([]*template.Version, error) {
	rows, err := s.read().Query(ctx, s.q(`SELECT `+versionCols+` FROM q_template_versions v WHERE v.template_id = ? AND v.version > 0 ORDER BY v.version`), templateID)
	out, err := Collect(rows, err, scanVersion)
	if err != nil {
		return nil, err
	}
	atts, err := s.attachmentsOf(ctx, `ta.template_id = ? AND ta.version > 0`, templateID)
	if err != nil {
		return nil, err
	}
	for _, v := range out {
		v.Attachments = atts[templateID][v.Number]
	}
	return out, nil
}

// bumpRevision advances a template's revision if it is still t.Revision
// (locking its row for the rest of the transaction, where rows lock); set
// holds extra assignments for the same UPDATE, with their args.
func (s *Store) bumpRevision(ctx context.Context, tx Tx, t *template.Template, set string, args ...any) error {
	q := `UPDATE q_templates SET revision = revision + 1`
	if set != "" {
		q += ", " + set
	}
	q += ` WHERE id = ? AND revision = ?`
	n, err := tx.Exec(ctx, s.q(q), append(args, t.ID, t.Revision)...)
	if s.d.IsUnique(err) {
		return template.ErrTemplateNameTaken
	}
	if err != nil {
		return err
	}
	if n == 1 {
		return nil
	}
	var one int
	if err := tx.QueryRow(ctx, s.q(`SELECT 1 FROM q_templates WHERE id = ?`), t.ID).Scan(&one); noRows(err) {
		return template.ErrTemplateNotFound
	}
	return template.ErrStale
}

func (s *Store) updateLatest(ctx context.Context, tx Tx, templateID string, v *template.Version) error {
	return tx.Queue(ctx, s.q(`UPDATE q_template_versions SET content = ?, language = ?, default_attributes = ?, sha256 = ?, modified_at = ?, modified_by = ?
		WHERE template_id = ? AND version = 0`),
		JSON(storedoc.TemplateContent(v.Content)), v.Language, JSON(v.DefaultAttributes), v.SHA256, s.d.Time(v.ModifiedAt), v.ModifiedBy, templateID)
}

// writeTemplate runs fn in a write transaction with idem and, when it
// commits, advances t.Revision as fn did in the database.
func (s *Store) writeTemplate(ctx context.Context, t *template.Template, idem *template.Idem, fn func(tx Tx) error) error {
	err := s.writeTemplates(ctx, idem, fn)
	if err == nil {
		t.Revision++
	}
	return err
}

// SaveTemplate implements template.TemplateStore.
func (s *Store) SaveTemplate(ctx context.Context, t *template.Template, latest *template.Version) error {
	return s.writeTemplate(ctx, t, nil, func(tx Tx) error {
		if err := s.bumpRevision(ctx, tx, t, `name = ?, description = ?, grouping = ?, tags = ?, active_version = ?`,
			t.Name, t.Description, JSON(storedoc.Grouping(t.Grouping)), JSON(t.Tags), t.ActiveVersion); err != nil {
			return err
		}
		if latest == nil {
			return nil
		}
		if err := s.updateLatest(ctx, tx, t.ID, latest); err != nil {
			return err
		}
		return s.touchKB(ctx, tx, t.KnowledgeBaseID, latest.ModifiedAt)
	})
}

// CreateVersion implements template.TemplateStore.
func (s *Store) CreateVersion(ctx context.Context, t *template.Template, v *template.Version, max int) error {
	err := s.writeTemplate(ctx, t, nil, func(tx Tx) error {
		if err := s.bumpRevision(ctx, tx, t, `last_version = ?`, v.Number); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(ctx, s.q(`SELECT COUNT(*) FROM q_template_versions WHERE template_id = ? AND version > 0`), t.ID).Scan(&n); err != nil {
			return err
		}
		if n >= max {
			return template.ErrLimit
		}
		if err := s.insertVersion(ctx, tx, t.ID, v); err != nil {
			return err
		}
		return tx.Queue(ctx, s.q(`INSERT INTO q_template_attachments(template_id, version, attachment_id, pos, name)
			SELECT template_id, ?, attachment_id, pos, name FROM q_template_attachments WHERE template_id = ? AND version = 0`), v.Number, t.ID)
	})
	if err == nil {
		t.LastVersion = v.Number
	}
	return err
}

// DeleteVersion implements template.TemplateStore.
func (s *Store) DeleteVersion(ctx context.Context, t *template.Template, n int64) error {
	return s.writeTemplate(ctx, t, nil, func(tx Tx) error {
		if err := s.bumpRevision(ctx, tx, t, ""); err != nil {
			return err
		}
		k, err := tx.Exec(ctx, s.q(`DELETE FROM q_template_versions WHERE template_id = ? AND version = ? AND version > 0`), t.ID, n)
		if err != nil {
			return err
		}
		if k == 0 {
			return template.ErrVersionNotFound
		}
		return s.collectFiles(ctx, tx)
	})
}

// DeleteTemplate implements template.TemplateStore.
func (s *Store) DeleteTemplate(ctx context.Context, kbID, id string) error {
	return s.write(ctx, Write{}, func(tx Tx) error {
		n, err := tx.Exec(ctx, s.q(`DELETE FROM q_templates WHERE id = ? AND kb_id = ?`), id, kbID)
		if err != nil {
			return err
		}
		if n == 0 {
			return template.ErrTemplateNotFound
		}
		if err := s.collectFiles(ctx, tx); err != nil {
			return err
		}
		return s.touchKB(ctx, tx, kbID, time.Now())
	})
}

// ---- attachments ----

// AddAttachment implements template.AttachmentStore.
func (s *Store) AddAttachment(ctx context.Context, t *template.Template, latest *template.Version, a *template.Attachment, data []byte, max int, idem *template.Idem) error {
	return s.writeTemplate(ctx, t, idem, func(tx Tx) error {
		if err := s.bumpRevision(ctx, tx, t, ""); err != nil {
			return err
		}
		var n, pos int
		if err := tx.QueryRow(ctx, s.q(`SELECT COUNT(*), COALESCE(MAX(pos), 0) FROM q_template_attachments WHERE template_id = ? AND version = 0`), t.ID).Scan(&n, &pos); err != nil {
			return err
		}
		if n >= max {
			return template.ErrLimit
		}
		if err := tx.Queue(ctx, s.q(`INSERT INTO q_attachment_files(id, name, content_type, size, sha256, uploaded_at, data) VALUES (?,?,?,?,?,?,?)`),
			a.ID, a.Name, a.ContentType, a.Size, a.SHA256, s.d.Time(a.UploadedAt), data); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, s.q(`INSERT INTO q_template_attachments(template_id, version, attachment_id, pos, name) VALUES (?,0,?,?,?)`), t.ID, a.ID, pos+1, a.Name)
		if s.d.IsUnique(err) {
			return template.ErrAttachmentNameTaken
		}
		if err != nil {
			return err
		}
		if err := s.updateLatest(ctx, tx, t.ID, latest); err != nil {
			return err
		}
		return s.touchKB(ctx, tx, t.KnowledgeBaseID, latest.ModifiedAt)
	})
}

// RemoveAttachment implements template.AttachmentStore.
func (s *Store) RemoveAttachment(ctx context.Context, t *template.Template, latest *template.Version, attachmentID string) error {
	return s.writeTemplate(ctx, t, nil, func(tx Tx) error {
		if err := s.bumpRevision(ctx, tx, t, ""); err != nil {
			return err
		}
		n, err := tx.Exec(ctx, s.q(`DELETE FROM q_template_attachments WHERE template_id = ? AND version = 0 AND attachment_id = ?`), t.ID, attachmentID)
		if err != nil {
			return err
		}
		if n == 0 {
			return template.ErrAttachmentNotFound
		}
		if err := s.updateLatest(ctx, tx, t.ID, latest); err != nil {
			return err
		}
		if err := s.collectFiles(ctx, tx); err != nil {
			return err
		}
		return s.touchKB(ctx, tx, t.KnowledgeBaseID, latest.ModifiedAt)
	})
}

// AttachmentData implements template.AttachmentStore.
func (s *Store) AttachmentData(ctx context.Context, attachmentID string) (*template.Attachment, []byte, error) {
	var a template.Attachment
	var data []byte
	err := s.read().QueryRow(ctx, s.q(`SELECT id, name, content_type, size, sha256, uploaded_at, data FROM q_attachment_files WHERE id = ?`), attachmentID).
		Scan(&a.ID, &a.Name, &a.ContentType, &a.Size, &a.SHA256, TimeCol{&a.UploadedAt}, &data)
	if noRows(err) {
		return nil, nil, template.ErrAttachmentNotFound
	}
	if err != nil {
		return nil, nil, err
	}
	return &a, data, nil
}

// TemplateStores returns the store as the template Service's stores.
func (s *Store) TemplateStores() template.Stores {
	return template.Stores{KnowledgeBases: s, Templates: s, Attachments: s}
}
