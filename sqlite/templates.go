package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"github.com/connectmail/connectmail/sqlstore"
	"strings"
	"time"

	"github.com/connectmail/connectmail/connect"
	"github.com/connectmail/connectmail/fault"
	"github.com/connectmail/connectmail/render"
	"github.com/connectmail/connectmail/storedoc"
	"github.com/connectmail/connectmail/template"
)

var _ template.Store = (*Store)(nil)

// querier runs a read: cachedReads on the reader pool.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func isForeignKey(err error) bool {
	return err != nil && strings.Contains(err.Error(), "FOREIGN KEY constraint failed")
}

// checkTemplateIdem and putTemplateIdem share the idempotency table and its
// rules with the Connect operations; template.Idem has connect.Idem's layout.
func (s *Store) checkTemplateIdem(tx *sql.Tx, idem *template.Idem) error {
	err := s.d.CheckIdem(context.Background(), &batchTx{s: s, tx: tx}, (*connect.Idem)(idem))
	var r *connect.Replayed
	if errors.As(err, &r) {
		return &template.Replayed{Response: r.Response}
	}
	return err
}

func (s *Store) putTemplateIdem(tx *sql.Tx, idem *template.Idem) error {
	return s.putIdem(tx, (*connect.Idem)(idem))
}

// ---- knowledge bases ----

const kbCols = `id, region, arn, name, description, kb_type, status, kms_key_id, created_at, content_modified_at, tags`

func scanKB(row rowScanner) (*template.KnowledgeBase, error) {
	var kb template.KnowledgeBase
	var created, modified int64
	var tags sql.NullString
	if err := row.Scan(&kb.ID, &kb.Region, &kb.ARN, &kb.Name, &kb.Description, &kb.Type, &kb.Status, &kb.KMSKeyID, &created, &modified, &tags); err != nil {
		return nil, err
	}
	kb.CreatedAt, kb.ContentModifiedAt = fromMS(created), fromMS(modified)
	if tags.Valid {
		if err := json.Unmarshal([]byte(tags.String), &kb.Tags); err != nil {
			return nil, err
		}
	}
	return &kb, nil
}

// CreateKnowledgeBase implements template.Store.
func (s *Store) CreateKnowledgeBase(ctx context.Context, kb *template.KnowledgeBase, max int, idem *template.Idem) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		if err := s.checkTemplateIdem(tx, idem); err != nil {
			return err
		}
		var n int
		if err := s.queryRow(tx, `SELECT COUNT(*) FROM q_knowledge_bases WHERE region = ?`, kb.Region).Scan(&n); err != nil {
			return err
		}
		if n >= max {
			return fault.New(fault.Quota, "region %s has %d knowledge bases", kb.Region, n)
		}
		_, err := s.exec(tx, `INSERT INTO q_knowledge_bases(`+kbCols+`) VALUES (?,?,?,?,?,?,?,?,?,?,?)`,
			kb.ID, kb.Region, kb.ARN, kb.Name, kb.Description, kb.Type, kb.Status, kb.KMSKeyID,
			ms(kb.CreatedAt), ms(kb.ContentModifiedAt), sqlstore.JSON(kb.Tags))
		if isUnique(err) {
			return fault.New(fault.Duplicate, "knowledge base name %s is taken", kb.Name)
		}
		if err != nil {
			return err
		}
		return s.putTemplateIdem(tx, idem)
	})
}

// GetKnowledgeBase implements template.Store.
func (s *Store) GetKnowledgeBase(ctx context.Context, region, id string) (*template.KnowledgeBase, error) {
	kb, err := scanKB(s.readRow(ctx, `SELECT `+kbCols+` FROM q_knowledge_bases WHERE id = ? AND region = ?`, id, region))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fault.NotFoundf(template.ResourceKnowledgeBase, "knowledge base %s not found", id)
	}
	return kb, err
}

// ListKnowledgeBases implements template.Store.
func (s *Store) ListKnowledgeBases(ctx context.Context, region string) ([]*template.KnowledgeBase, error) {
	rows, err := s.read(ctx, `SELECT `+kbCols+` FROM q_knowledge_bases WHERE region = ? ORDER BY seq`, region)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*template.KnowledgeBase
	for rows.Next() {
		kb, err := scanKB(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, kb)
	}
	return out, rows.Err()
}

// TagKnowledgeBase implements template.Store.
func (s *Store) TagKnowledgeBase(ctx context.Context, region, id string, set map[string]string, remove []string, max int) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		var raw sql.NullString
		err := s.queryRow(tx, `SELECT tags FROM q_knowledge_bases WHERE id = ? AND region = ?`, id, region).Scan(&raw)
		if errors.Is(err, sql.ErrNoRows) {
			return fault.NotFoundf(template.ResourceKnowledgeBase, "knowledge base %s not found", id)
		}
		if err != nil {
			return err
		}
		tags := map[string]string{}
		if raw.Valid {
			if err := json.Unmarshal([]byte(raw.String), &tags); err != nil {
				return err
			}
		}
		for k, v := range set {
			tags[k] = v
		}
		for _, k := range remove {
			delete(tags, k)
		}
		if len(tags) > max {
			return fault.New(fault.Quota, "knowledge base %s would have %d tags", id, len(tags))
		}
		_, err = s.exec(tx, `UPDATE q_knowledge_bases SET tags = ? WHERE id = ?`, sqlstore.JSON(tags), id)
		return err
	})
}

// collectFiles deletes attachment files no version refers to any more.
func (s *Store) collectFiles(tx *sql.Tx) error {
	_, err := s.exec(tx, `DELETE FROM q_attachment_files WHERE NOT EXISTS
		(SELECT 1 FROM q_template_attachments ta WHERE ta.attachment_id = q_attachment_files.id)`)
	return err
}

// DeleteKnowledgeBase implements template.Store.
func (s *Store) DeleteKnowledgeBase(ctx context.Context, region, id string) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		res, err := s.exec(tx, `DELETE FROM q_knowledge_bases WHERE id = ? AND region = ?`, id, region)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fault.NotFoundf(template.ResourceKnowledgeBase, "knowledge base %s not found", id)
		}
		return s.collectFiles(tx)
	})
}

// ---- templates ----

const templateCols = `t.id, t.kb_id, t.name, t.description, t.channel_subtype, t.grouping, t.tags, t.created_at, t.active_version, t.last_version, t.revision`

const versionCols = `v.template_id, v.version, v.content, v.language, v.default_attributes, v.sha256, v.modified_at, v.modified_by`

// decodeTemplate fills the JSON and time columns of t.
func decodeTemplate(t *template.Template, grouping, tags sql.NullString, created int64) error {
	t.CreatedAt = fromMS(created)
	if grouping.Valid {
		var err error
		if t.Grouping, err = storedoc.ParseGrouping([]byte(grouping.String)); err != nil {
			return err
		}
	}
	if tags.Valid {
		if err := json.Unmarshal([]byte(tags.String), &t.Tags); err != nil {
			return err
		}
	}
	return nil
}

// decodeVersion fills the JSON and time columns of v.
func decodeVersion(v *template.Version, content, attrs sql.NullString, modified int64) error {
	v.ModifiedAt = fromMS(modified)
	if content.Valid {
		var err error
		if v.Content, err = storedoc.ParseTemplateContent([]byte(content.String)); err != nil {
			return err
		}
	}
	if attrs.Valid {
		v.DefaultAttributes = &render.Attributes{}
		if err := json.Unmarshal([]byte(attrs.String), v.DefaultAttributes); err != nil {
			return err
		}
	}
	return nil
}

func scanVersionRow(row rowScanner) (*template.Version, error) {
	var v template.Version
	var tid string
	var content, attrs sql.NullString
	var modified int64
	if err := row.Scan(&tid, &v.Number, &content, &v.Language, &attrs, &v.SHA256, &modified, &v.ModifiedBy); err != nil {
		return nil, err
	}
	return &v, decodeVersion(&v, content, attrs, modified)
}

// attachmentsOf loads the attachments of the versions selected by where
// (a condition on ta), keyed by template id and version.
func attachmentsOf(ctx context.Context, q querier, where string, args ...any) (map[string]map[int64][]template.Attachment, error) {
	rows, err := q.QueryContext(ctx, `SELECT ta.template_id, ta.version, f.id, ta.name, f.content_type, f.size, f.sha256, f.uploaded_at
		FROM q_template_attachments ta JOIN q_attachment_files f ON f.id = ta.attachment_id
		WHERE `+where+` ORDER BY ta.template_id, ta.version, ta.pos`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]map[int64][]template.Attachment{}
	for rows.Next() {
		var tid string
		var n, uploaded int64
		var a template.Attachment
		if err := rows.Scan(&tid, &n, &a.ID, &a.Name, &a.ContentType, &a.Size, &a.SHA256, &uploaded); err != nil {
			return nil, err
		}
		a.UploadedAt = fromMS(uploaded)
		if out[tid] == nil {
			out[tid] = map[int64][]template.Attachment{}
		}
		out[tid][n] = append(out[tid][n], a)
	}
	return out, rows.Err()
}

// listTemplates loads templates (with $LATEST) matching where (a condition on t).
func listTemplates(ctx context.Context, q querier, where string, args ...any) ([]*template.Template, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+templateCols+`, `+versionCols+`
		FROM q_templates t JOIN q_template_versions v ON v.template_id = t.id AND v.version = 0
		WHERE `+where+` ORDER BY t.seq`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*template.Template
	for rows.Next() {
		var t template.Template
		var v template.Version
		var tid string
		var grouping, tags, content, attrs sql.NullString
		var created, modified int64
		if err := rows.Scan(&t.ID, &t.KnowledgeBaseID, &t.Name, &t.Description, &t.ChannelSubtype, &grouping, &tags,
			&created, &t.ActiveVersion, &t.LastVersion, &t.Revision,
			&tid, &v.Number, &content, &v.Language, &attrs, &v.SHA256, &modified, &v.ModifiedBy); err != nil {
			return nil, err
		}
		if err := decodeTemplate(&t, grouping, tags, created); err != nil {
			return nil, err
		}
		if err := decodeVersion(&v, content, attrs, modified); err != nil {
			return nil, err
		}
		t.Latest = &v
		out = append(out, &t)
	}
	return out, rows.Err()
}

// CreateTemplate implements template.Store.
func (s *Store) CreateTemplate(ctx context.Context, t *template.Template, max int, idem *template.Idem) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		if err := s.checkTemplateIdem(tx, idem); err != nil {
			return err
		}
		var n int
		if err := s.queryRow(tx, `SELECT COUNT(*) FROM q_templates WHERE kb_id = ?`, t.KnowledgeBaseID).Scan(&n); err != nil {
			return err
		}
		if n >= max {
			return fault.New(fault.Quota, "knowledge base %s has %d templates", t.KnowledgeBaseID, n)
		}
		_, err := s.exec(tx, `INSERT INTO q_templates(id, kb_id, name, description, channel_subtype, grouping, tags, created_at, active_version, last_version, revision)
			VALUES (?,?,?,?,?,?,?,?,0,0,1)`,
			t.ID, t.KnowledgeBaseID, t.Name, t.Description, t.ChannelSubtype, sqlstore.JSON(storedoc.Grouping(t.Grouping)), sqlstore.JSON(t.Tags), ms(t.CreatedAt))
		switch {
		case isUnique(err):
			return fault.New(fault.Duplicate, "template name %s is taken", t.Name)
		case isForeignKey(err):
			return fault.NotFoundf(template.ResourceKnowledgeBase, "knowledge base %s not found", t.KnowledgeBaseID)
		case err != nil:
			return err
		}
		if err := s.insertVersion(tx, t.ID, t.Latest); err != nil {
			return err
		}
		if err := s.touchKB(tx, t.KnowledgeBaseID, t.Latest.ModifiedAt); err != nil {
			return err
		}
		return s.putTemplateIdem(tx, idem)
	})
	if err == nil {
		t.Revision = 1
	}
	return err
}

func (s *Store) insertVersion(tx *sql.Tx, templateID string, v *template.Version) error {
	_, err := s.exec(tx, `INSERT INTO q_template_versions(template_id, version, content, language, default_attributes, sha256, modified_at, modified_by)
		VALUES (?,?,?,?,?,?,?,?)`,
		templateID, v.Number, sqlstore.JSON(storedoc.TemplateContent(v.Content)), v.Language, sqlstore.JSON(v.DefaultAttributes), v.SHA256, ms(v.ModifiedAt), v.ModifiedBy)
	return err
}

func (s *Store) touchKB(tx *sql.Tx, kbID string, at time.Time) error {
	if at.IsZero() {
		at = time.Now()
	}
	_, err := s.exec(tx, `UPDATE q_knowledge_bases SET content_modified_at = MAX(content_modified_at, ?) WHERE id = ?`, ms(at), kbID)
	return err
}

// GetTemplate implements template.Store.
func (s *Store) GetTemplate(ctx context.Context, kbID, id string) (*template.Template, error) {
	list, err := listTemplates(ctx, s.cachedReads(), `t.id = ? AND t.kb_id = ?`, id, kbID)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, fault.NotFoundf(template.ResourceMessageTemplate, "message template %s not found", id)
	}
	atts, err := attachmentsOf(ctx, s.cachedReads(), `ta.template_id = ? AND ta.version = 0`, id)
	if err != nil {
		return nil, err
	}
	list[0].Latest.Attachments = atts[id][0]
	return list[0], nil
}

// ListTemplates implements template.Store.
func (s *Store) ListTemplates(ctx context.Context, kbID string) ([]*template.Template, error) {
	list, err := listTemplates(ctx, s.cachedReads(), `t.kb_id = ?`, kbID)
	if err != nil {
		return nil, err
	}
	atts, err := attachmentsOf(ctx, s.cachedReads(), `ta.version = 0 AND ta.template_id IN (SELECT id FROM q_templates WHERE kb_id = ?)`, kbID)
	if err != nil {
		return nil, err
	}
	for _, t := range list {
		t.Latest.Attachments = atts[t.ID][0]
	}
	return list, nil
}

// GetVersion implements template.Store.
func (s *Store) GetVersion(ctx context.Context, templateID string, n int64) (*template.Version, error) {
	v, err := scanVersionRow(s.readRow(ctx, `SELECT `+versionCols+` FROM q_template_versions v WHERE v.template_id = ? AND v.version = ?`, templateID, n))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fault.NotFoundf(template.ResourceVersion, "version %d of %s not found", n, templateID)
	}
	if err != nil {
		return nil, err
	}
	atts, err := attachmentsOf(ctx, s.cachedReads(), `ta.template_id = ? AND ta.version = ?`, templateID, n)
	if err != nil {
		return nil, err
	}
	v.Attachments = atts[templateID][n]
	return v, nil
}

// ListVersions implements template.Store.
func (s *Store) ListVersions(ctx context.Context, templateID string) ([]*template.Version, error) {
	rows, err := s.read(ctx, `SELECT `+versionCols+` FROM q_template_versions v WHERE v.template_id = ? AND v.version > 0 ORDER BY v.version`, templateID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*template.Version
	for rows.Next() {
		v, err := scanVersionRow(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	atts, err := attachmentsOf(ctx, s.cachedReads(), `ta.template_id = ? AND ta.version > 0`, templateID)
	if err != nil {
		return nil, err
	}
	for _, v := range out {
		v.Attachments = atts[templateID][v.Number]
	}
	return out, nil
}

// bumpRevision advances a template's revision if it is still rev; set holds
// extra assignments for the same UPDATE.
func (s *Store) bumpRevision(tx *sql.Tx, t *template.Template, set string, args ...any) error {
	q := `UPDATE q_templates SET revision = revision + 1`
	if set != "" {
		q += ", " + set
	}
	q += ` WHERE id = ? AND revision = ?`
	res, err := s.exec(tx, q, append(args, t.ID, t.Revision)...)
	if isUnique(err) {
		return fault.New(fault.Duplicate, "template name %s is taken", t.Name)
	}
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return nil
	}
	var one int
	if err := s.queryRow(tx, `SELECT 1 FROM q_templates WHERE id = ?`, t.ID).Scan(&one); errors.Is(err, sql.ErrNoRows) {
		return fault.NotFoundf(template.ResourceMessageTemplate, "message template %s not found", t.ID)
	}
	return template.ErrStale
}

func (s *Store) updateLatest(tx *sql.Tx, templateID string, v *template.Version) error {
	_, err := s.exec(tx, `UPDATE q_template_versions SET content = ?, language = ?, default_attributes = ?, sha256 = ?, modified_at = ?, modified_by = ?
		WHERE template_id = ? AND version = 0`,
		sqlstore.JSON(storedoc.TemplateContent(v.Content)), v.Language, sqlstore.JSON(v.DefaultAttributes), v.SHA256, ms(v.ModifiedAt), v.ModifiedBy, templateID)
	return err
}

// writeTemplate runs fn in a write transaction and, when it succeeds,
// advances t.Revision as fn did in the database.
func (s *Store) writeTemplate(ctx context.Context, t *template.Template, fn func(tx *sql.Tx) error) error {
	err := s.write(ctx, fn)
	if err == nil {
		t.Revision++
	}
	return err
}

// SaveTemplate implements template.Store.
func (s *Store) SaveTemplate(ctx context.Context, t *template.Template, latest *template.Version) error {
	return s.writeTemplate(ctx, t, func(tx *sql.Tx) error {
		if err := s.bumpRevision(tx, t, `name = ?, description = ?, grouping = ?, tags = ?, active_version = ?`,
			t.Name, t.Description, sqlstore.JSON(storedoc.Grouping(t.Grouping)), sqlstore.JSON(t.Tags), t.ActiveVersion); err != nil {
			return err
		}
		if latest == nil {
			return nil
		}
		if err := s.updateLatest(tx, t.ID, latest); err != nil {
			return err
		}
		return s.touchKB(tx, t.KnowledgeBaseID, latest.ModifiedAt)
	})
}

// CreateVersion implements template.Store.
func (s *Store) CreateVersion(ctx context.Context, t *template.Template, v *template.Version, max int) error {
	err := s.writeTemplate(ctx, t, func(tx *sql.Tx) error {
		if err := s.bumpRevision(tx, t, `last_version = ?`, v.Number); err != nil {
			return err
		}
		var n int
		if err := s.queryRow(tx, `SELECT COUNT(*) FROM q_template_versions WHERE template_id = ? AND version > 0`, t.ID).Scan(&n); err != nil {
			return err
		}
		if n >= max {
			return fault.New(fault.Quota, "template %s has %d versions", t.ID, n)
		}
		if err := s.insertVersion(tx, t.ID, v); err != nil {
			return err
		}
		_, err := s.exec(tx, `INSERT INTO q_template_attachments(template_id, version, attachment_id, pos, name)
			SELECT template_id, ?, attachment_id, pos, name FROM q_template_attachments WHERE template_id = ? AND version = 0`, v.Number, t.ID)
		return err
	})
	if err == nil {
		t.LastVersion = v.Number
	}
	return err
}

// DeleteVersion implements template.Store.
func (s *Store) DeleteVersion(ctx context.Context, t *template.Template, n int64) error {
	return s.writeTemplate(ctx, t, func(tx *sql.Tx) error {
		if err := s.bumpRevision(tx, t, ""); err != nil {
			return err
		}
		res, err := s.exec(tx, `DELETE FROM q_template_versions WHERE template_id = ? AND version = ? AND version > 0`, t.ID, n)
		if err != nil {
			return err
		}
		if k, _ := res.RowsAffected(); k == 0 {
			return fault.NotFoundf(template.ResourceVersion, "version %d of %s not found", n, t.ID)
		}
		return s.collectFiles(tx)
	})
}

// DeleteTemplate implements template.Store.
func (s *Store) DeleteTemplate(ctx context.Context, kbID, id string) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		res, err := s.exec(tx, `DELETE FROM q_templates WHERE id = ? AND kb_id = ?`, id, kbID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fault.NotFoundf(template.ResourceMessageTemplate, "message template %s not found", id)
		}
		if err := s.collectFiles(tx); err != nil {
			return err
		}
		return s.touchKB(tx, kbID, time.Now())
	})
}

// AddAttachment implements template.Store.
func (s *Store) AddAttachment(ctx context.Context, t *template.Template, latest *template.Version, a *template.Attachment, data []byte, max int, idem *template.Idem) error {
	return s.writeTemplate(ctx, t, func(tx *sql.Tx) error {
		if err := s.checkTemplateIdem(tx, idem); err != nil {
			return err
		}
		if err := s.bumpRevision(tx, t, ""); err != nil {
			return err
		}
		var n, pos int
		if err := s.queryRow(tx, `SELECT COUNT(*), COALESCE(MAX(pos), 0) FROM q_template_attachments WHERE template_id = ? AND version = 0`, t.ID).Scan(&n, &pos); err != nil {
			return err
		}
		if n >= max {
			return fault.New(fault.Quota, "template %s has %d attachments", t.ID, n)
		}
		if _, err := s.exec(tx, `INSERT INTO q_attachment_files(id, name, content_type, size, sha256, uploaded_at, data) VALUES (?,?,?,?,?,?,?)`,
			a.ID, a.Name, a.ContentType, a.Size, a.SHA256, ms(a.UploadedAt), data); err != nil {
			return err
		}
		_, err := s.exec(tx, `INSERT INTO q_template_attachments(template_id, version, attachment_id, pos, name) VALUES (?,0,?,?,?)`, t.ID, a.ID, pos+1, a.Name)
		if isUnique(err) {
			return fault.New(fault.Duplicate, "template %s has an attachment named %s", t.ID, a.Name)
		}
		if err != nil {
			return err
		}
		if err := s.updateLatest(tx, t.ID, latest); err != nil {
			return err
		}
		if err := s.touchKB(tx, t.KnowledgeBaseID, latest.ModifiedAt); err != nil {
			return err
		}
		return s.putTemplateIdem(tx, idem)
	})
}

// RemoveAttachment implements template.Store.
func (s *Store) RemoveAttachment(ctx context.Context, t *template.Template, latest *template.Version, attachmentID string) error {
	return s.writeTemplate(ctx, t, func(tx *sql.Tx) error {
		if err := s.bumpRevision(tx, t, ""); err != nil {
			return err
		}
		res, err := s.exec(tx, `DELETE FROM q_template_attachments WHERE template_id = ? AND version = 0 AND attachment_id = ?`, t.ID, attachmentID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fault.NotFoundf(template.ResourceAttachment, "attachment %s not found", attachmentID)
		}
		if err := s.updateLatest(tx, t.ID, latest); err != nil {
			return err
		}
		if err := s.collectFiles(tx); err != nil {
			return err
		}
		return s.touchKB(tx, t.KnowledgeBaseID, latest.ModifiedAt)
	})
}

// AttachmentData implements template.Store.
func (s *Store) AttachmentData(ctx context.Context, attachmentID string) (*template.Attachment, []byte, error) {
	var a template.Attachment
	var uploaded int64
	var data []byte
	err := s.readRow(ctx, `SELECT id, name, content_type, size, sha256, uploaded_at, data FROM q_attachment_files WHERE id = ?`, attachmentID).
		Scan(&a.ID, &a.Name, &a.ContentType, &a.Size, &a.SHA256, &uploaded, &data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, fault.NotFoundf(template.ResourceAttachment, "attachment %s not found", attachmentID)
	}
	if err != nil {
		return nil, nil, err
	}
	a.UploadedAt = fromMS(uploaded)
	return &a, data, nil
}
