package postgres

import (
	"context"
	"encoding/json"
	"github.com/connectmail/connectmail/sqlstore"
	"time"

	"github.com/connectmail/connectmail/fault"
	"github.com/connectmail/connectmail/render"
	"github.com/connectmail/connectmail/storedoc"
	"github.com/connectmail/connectmail/template"
	"github.com/jackc/pgx/v5"
)

var _ template.Store = (*Store)(nil)

// takeTemplateIdem claims the idempotency row of a template operation; see queueIdem.
func takeTemplateIdem(ctx context.Context, tx *txn, idem *template.Idem) error {
	if idem == nil {
		return nil
	}
	b := &pgx.Batch{}
	queueIdem(b, idem.Op, idem.Token, idem.Hash, idem.Response)
	return tx.send(b)
}

// templateIdemResult turns a transaction's idemConflict into
// *template.Replayed (same request) or fault.Idempotency (another request).
func (s *Store) templateIdemResult(ctx context.Context, err error, idem *template.Idem) error {
	if idem == nil || sqlState(err) != idemConflict {
		return err
	}
	hash, resp, err := s.storedIdem(ctx, idem.Op, idem.Token)
	switch {
	case err != nil:
		return err
	case hash != idem.Hash:
		return fault.New(fault.Idempotency, "client token %s reused with other parameters", idem.Token)
	}
	return &template.Replayed{Response: resp}
}

// ---- knowledge bases ----

const kbCols = `id, region, arn, name, description, kb_type, status, kms_key_id, created_at, content_modified_at, tags`

func scanKB(row pgx.Row) (*template.KnowledgeBase, error) {
	var kb template.KnowledgeBase
	var tags []byte
	if err := row.Scan(&kb.ID, &kb.Region, &kb.ARN, &kb.Name, &kb.Description, &kb.Type, &kb.Status, &kb.KMSKeyID, &kb.CreatedAt, &kb.ContentModifiedAt, &tags); err != nil {
		return nil, err
	}
	kb.CreatedAt, kb.ContentModifiedAt = fromTS(&kb.CreatedAt), fromTS(&kb.ContentModifiedAt)
	if len(tags) > 0 {
		if err := json.Unmarshal(tags, &kb.Tags); err != nil {
			return nil, err
		}
	}
	return &kb, nil
}

// CreateKnowledgeBase implements template.Store. Creations in one region are
// serialized so that the quota holds across nodes.
func (s *Store) CreateKnowledgeBase(ctx context.Context, kb *template.KnowledgeBase, max int, idem *template.Idem) error {
	err := s.tx(ctx, func(tx *txn) error {
		if err := takeTemplateIdem(ctx, tx, idem); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, lockKey("kb-region:"+kb.Region)); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM q_knowledge_bases WHERE region = $1`, kb.Region).Scan(&n); err != nil {
			return err
		}
		if n >= max {
			return fault.New(fault.Quota, "region %s has %d knowledge bases", kb.Region, n)
		}
		_, err := tx.Exec(ctx, `INSERT INTO q_knowledge_bases(`+kbCols+`) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)`,
			kb.ID, kb.Region, kb.ARN, kb.Name, kb.Description, kb.Type, kb.Status, kb.KMSKeyID,
			tm(kb.CreatedAt), tm(kb.ContentModifiedAt), sqlstore.JSON(kb.Tags))
		if isUnique(err) {
			return fault.New(fault.Duplicate, "knowledge base name %s is taken", kb.Name)
		}
		return err
	})
	return s.templateIdemResult(ctx, err, idem)
}

// GetKnowledgeBase implements template.Store.
func (s *Store) GetKnowledgeBase(ctx context.Context, region, id string) (*template.KnowledgeBase, error) {
	kb, err := scanKB(s.pool.QueryRow(ctx, `SELECT `+kbCols+` FROM q_knowledge_bases WHERE id = $1 AND region = $2`, id, region))
	if notFound(err) {
		return nil, fault.NotFoundf(template.ResourceKnowledgeBase, "knowledge base %s not found", id)
	}
	return kb, err
}

// ListKnowledgeBases implements template.Store.
func (s *Store) ListKnowledgeBases(ctx context.Context, region string) ([]*template.KnowledgeBase, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+kbCols+` FROM q_knowledge_bases WHERE region = $1 ORDER BY seq`, region)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanKB)
}

// TagKnowledgeBase implements template.Store.
func (s *Store) TagKnowledgeBase(ctx context.Context, region, id string, set map[string]string, remove []string, max int) error {
	return s.tx(ctx, func(tx *txn) error {
		var raw []byte
		err := tx.QueryRow(ctx, `SELECT tags FROM q_knowledge_bases WHERE id = $1 AND region = $2 FOR NO KEY UPDATE`, id, region).Scan(&raw)
		if notFound(err) {
			return fault.NotFoundf(template.ResourceKnowledgeBase, "knowledge base %s not found", id)
		}
		if err != nil {
			return err
		}
		tags := map[string]string{}
		if len(raw) > 0 {
			if err := json.Unmarshal(raw, &tags); err != nil {
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
		_, err = tx.Exec(ctx, `UPDATE q_knowledge_bases SET tags = $1 WHERE id = $2`, sqlstore.JSON(tags), id)
		return err
	})
}

// collectFiles deletes attachment files no version refers to any more.
func collectFiles(ctx context.Context, tx *txn) error {
	_, err := tx.Exec(ctx, `DELETE FROM q_attachment_files f WHERE NOT EXISTS
		(SELECT 1 FROM q_template_attachments ta WHERE ta.attachment_id = f.id)`)
	return err
}

// DeleteKnowledgeBase implements template.Store.
func (s *Store) DeleteKnowledgeBase(ctx context.Context, region, id string) error {
	return s.tx(ctx, func(tx *txn) error {
		tag, err := tx.Exec(ctx, `DELETE FROM q_knowledge_bases WHERE id = $1 AND region = $2`, id, region)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return fault.NotFoundf(template.ResourceKnowledgeBase, "knowledge base %s not found", id)
		}
		return collectFiles(ctx, tx)
	})
}

// ---- templates ----

const templateCols = `t.id, t.kb_id, t.name, t.description, t.channel_subtype, t.grouping, t.tags, t.created_at, t.active_version, t.last_version, t.revision`

const versionCols = `v.template_id, v.version, v.content, v.language, v.default_attributes, v.sha256, v.modified_at, v.modified_by`

func decodeTemplate(t *template.Template, grouping, tags []byte) error {
	t.CreatedAt = fromTS(&t.CreatedAt)
	if len(grouping) > 0 {
		var err error
		if t.Grouping, err = storedoc.ParseGrouping(grouping); err != nil {
			return err
		}
	}
	if len(tags) > 0 {
		if err := json.Unmarshal(tags, &t.Tags); err != nil {
			return err
		}
	}
	return nil
}

func decodeVersion(v *template.Version, content, attrs []byte) error {
	v.ModifiedAt = fromTS(&v.ModifiedAt)
	if len(content) > 0 {
		var err error
		if v.Content, err = storedoc.ParseTemplateContent(content); err != nil {
			return err
		}
	}
	if len(attrs) > 0 {
		v.DefaultAttributes = &render.Attributes{}
		if err := json.Unmarshal(attrs, v.DefaultAttributes); err != nil {
			return err
		}
	}
	return nil
}

func scanVersion(row pgx.Row) (*template.Version, error) {
	var v template.Version
	var tid string
	var content, attrs []byte
	if err := row.Scan(&tid, &v.Number, &content, &v.Language, &attrs, &v.SHA256, &v.ModifiedAt, &v.ModifiedBy); err != nil {
		return nil, err
	}
	return &v, decodeVersion(&v, content, attrs)
}

// querier is what both the pool and a transaction offer for reads.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// attachmentsOf loads the attachments of the versions selected by where (a
// condition on ta), keyed by template id and version.
func attachmentsOf(ctx context.Context, q querier, where string, args ...any) (map[string]map[int64][]template.Attachment, error) {
	rows, err := q.Query(ctx, `SELECT ta.template_id, ta.version, f.id, ta.name, f.content_type, f.size, f.sha256, f.uploaded_at
		FROM q_template_attachments ta JOIN q_attachment_files f ON f.id = ta.attachment_id
		WHERE `+where+` ORDER BY ta.template_id, ta.version, ta.pos`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]map[int64][]template.Attachment{}
	for rows.Next() {
		var tid string
		var n int64
		var a template.Attachment
		if err := rows.Scan(&tid, &n, &a.ID, &a.Name, &a.ContentType, &a.Size, &a.SHA256, &a.UploadedAt); err != nil {
			return nil, err
		}
		a.UploadedAt = fromTS(&a.UploadedAt)
		if out[tid] == nil {
			out[tid] = map[int64][]template.Attachment{}
		}
		out[tid][n] = append(out[tid][n], a)
	}
	return out, rows.Err()
}

// listTemplates loads templates (with $LATEST) matching where (a condition on t).
func listTemplates(ctx context.Context, q querier, where string, args ...any) ([]*template.Template, error) {
	rows, err := q.Query(ctx, `SELECT `+templateCols+`, `+versionCols+`
		FROM q_templates t JOIN q_template_versions v ON v.template_id = t.id AND v.version = 0
		WHERE `+where+` ORDER BY t.seq`, args...)
	if err != nil {
		return nil, err
	}
	return collect(rows, func(row pgx.Row) (*template.Template, error) {
		var t template.Template
		var v template.Version
		var tid string
		var grouping, tags, content, attrs []byte
		if err := row.Scan(&t.ID, &t.KnowledgeBaseID, &t.Name, &t.Description, &t.ChannelSubtype, &grouping, &tags,
			&t.CreatedAt, &t.ActiveVersion, &t.LastVersion, &t.Revision,
			&tid, &v.Number, &content, &v.Language, &attrs, &v.SHA256, &v.ModifiedAt, &v.ModifiedBy); err != nil {
			return nil, err
		}
		if err := decodeTemplate(&t, grouping, tags); err != nil {
			return nil, err
		}
		if err := decodeVersion(&v, content, attrs); err != nil {
			return nil, err
		}
		t.Latest = &v
		return &t, nil
	})
}

// CreateTemplate implements template.Store. Creations in one knowledge base
// are serialized (by a lock on its row) so that the quota holds across nodes.
func (s *Store) CreateTemplate(ctx context.Context, t *template.Template, max int, idem *template.Idem) error {
	err := s.tx(ctx, func(tx *txn) error {
		if err := takeTemplateIdem(ctx, tx, idem); err != nil {
			return err
		}
		var one int
		err := tx.QueryRow(ctx, `SELECT 1 FROM q_knowledge_bases WHERE id = $1 FOR NO KEY UPDATE`, t.KnowledgeBaseID).Scan(&one)
		if notFound(err) {
			return fault.NotFoundf(template.ResourceKnowledgeBase, "knowledge base %s not found", t.KnowledgeBaseID)
		}
		if err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM q_templates WHERE kb_id = $1`, t.KnowledgeBaseID).Scan(&n); err != nil {
			return err
		}
		if n >= max {
			return fault.New(fault.Quota, "knowledge base %s has %d templates", t.KnowledgeBaseID, n)
		}
		_, err = tx.Exec(ctx, `INSERT INTO q_templates(id, kb_id, name, description, channel_subtype, grouping, tags, created_at, active_version, last_version, revision)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,0,0,1)`,
			t.ID, t.KnowledgeBaseID, t.Name, t.Description, t.ChannelSubtype, sqlstore.JSON(storedoc.Grouping(t.Grouping)), sqlstore.JSON(t.Tags), tm(t.CreatedAt))
		switch {
		case isUnique(err):
			return fault.New(fault.Duplicate, "template name %s is taken", t.Name)
		case isForeignKey(err):
			return fault.NotFoundf(template.ResourceKnowledgeBase, "knowledge base %s not found", t.KnowledgeBaseID)
		case err != nil:
			return err
		}
		if err := insertVersion(ctx, tx, t.ID, t.Latest); err != nil {
			return err
		}
		return touchKB(ctx, tx, t.KnowledgeBaseID, t.Latest.ModifiedAt)
	})
	if err == nil {
		t.Revision = 1
	}
	return s.templateIdemResult(ctx, err, idem)
}

func insertVersion(ctx context.Context, tx *txn, templateID string, v *template.Version) error {
	_, err := tx.Exec(ctx, `INSERT INTO q_template_versions(template_id, version, content, language, default_attributes, sha256, modified_at, modified_by)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`,
		templateID, v.Number, sqlstore.JSON(storedoc.TemplateContent(v.Content)), v.Language, sqlstore.JSON(v.DefaultAttributes), v.SHA256, tm(v.ModifiedAt), v.ModifiedBy)
	return err
}

func touchKB(ctx context.Context, tx *txn, kbID string, at time.Time) error {
	if at.IsZero() {
		at = time.Now()
	}
	_, err := tx.Exec(ctx, `UPDATE q_knowledge_bases SET content_modified_at = GREATEST(content_modified_at, $1) WHERE id = $2`, tm(at), kbID)
	return err
}

// GetTemplate implements template.Store.
func (s *Store) GetTemplate(ctx context.Context, kbID, id string) (*template.Template, error) {
	list, err := listTemplates(ctx, s.pool, `t.id = $1 AND t.kb_id = $2`, id, kbID)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, fault.NotFoundf(template.ResourceMessageTemplate, "message template %s not found", id)
	}
	atts, err := attachmentsOf(ctx, s.pool, `ta.template_id = $1 AND ta.version = 0`, id)
	if err != nil {
		return nil, err
	}
	list[0].Latest.Attachments = atts[id][0]
	return list[0], nil
}

// ListTemplates implements template.Store.
func (s *Store) ListTemplates(ctx context.Context, kbID string) ([]*template.Template, error) {
	list, err := listTemplates(ctx, s.pool, `t.kb_id = $1`, kbID)
	if err != nil {
		return nil, err
	}
	atts, err := attachmentsOf(ctx, s.pool, `ta.version = 0 AND ta.template_id IN (SELECT id FROM q_templates WHERE kb_id = $1)`, kbID)
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
	v, err := scanVersion(s.pool.QueryRow(ctx, `SELECT `+versionCols+` FROM q_template_versions v WHERE v.template_id = $1 AND v.version = $2`, templateID, n))
	if notFound(err) {
		return nil, fault.NotFoundf(template.ResourceVersion, "version %d of %s not found", n, templateID)
	}
	if err != nil {
		return nil, err
	}
	atts, err := attachmentsOf(ctx, s.pool, `ta.template_id = $1 AND ta.version = $2`, templateID, n)
	if err != nil {
		return nil, err
	}
	v.Attachments = atts[templateID][n]
	return v, nil
}

// ListVersions implements template.Store.
func (s *Store) ListVersions(ctx context.Context, templateID string) ([]*template.Version, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+versionCols+` FROM q_template_versions v WHERE v.template_id = $1 AND v.version > 0 ORDER BY v.version`, templateID)
	if err != nil {
		return nil, err
	}
	out, err := collect(rows, scanVersion)
	if err != nil {
		return nil, err
	}
	atts, err := attachmentsOf(ctx, s.pool, `ta.template_id = $1 AND ta.version > 0`, templateID)
	if err != nil {
		return nil, err
	}
	for _, v := range out {
		v.Attachments = atts[templateID][v.Number]
	}
	return out, nil
}

// bumpRevision advances a template's revision if it is still t.Revision,
// locking its row for the rest of the transaction; set holds extra
// assignments (with placeholders from $3) for the same UPDATE.
func bumpRevision(ctx context.Context, tx *txn, t *template.Template, set string, args ...any) error {
	q := `UPDATE q_templates SET revision = revision + 1`
	if set != "" {
		q += ", " + set
	}
	q += ` WHERE id = $1 AND revision = $2`
	tag, err := tx.Exec(ctx, q, append([]any{t.ID, t.Revision}, args...)...)
	if isUnique(err) {
		return fault.New(fault.Duplicate, "template name %s is taken", t.Name)
	}
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 1 {
		return nil
	}
	var one int
	if err := tx.QueryRow(ctx, `SELECT 1 FROM q_templates WHERE id = $1`, t.ID).Scan(&one); notFound(err) {
		return fault.NotFoundf(template.ResourceMessageTemplate, "message template %s not found", t.ID)
	}
	return template.ErrStale
}

func updateLatest(ctx context.Context, tx *txn, templateID string, v *template.Version) error {
	_, err := tx.Exec(ctx, `UPDATE q_template_versions SET content = $1, language = $2, default_attributes = $3, sha256 = $4, modified_at = $5, modified_by = $6
		WHERE template_id = $7 AND version = 0`,
		sqlstore.JSON(storedoc.TemplateContent(v.Content)), v.Language, sqlstore.JSON(v.DefaultAttributes), v.SHA256, tm(v.ModifiedAt), v.ModifiedBy, templateID)
	return err
}

// writeTemplate runs fn in a transaction and, when it commits, advances
// t.Revision as fn did in the database.
func (s *Store) writeTemplate(ctx context.Context, t *template.Template, fn func(tx *txn) error) error {
	err := s.tx(ctx, fn)
	if err == nil {
		t.Revision++
	}
	return err
}

// SaveTemplate implements template.Store.
func (s *Store) SaveTemplate(ctx context.Context, t *template.Template, latest *template.Version) error {
	return s.writeTemplate(ctx, t, func(tx *txn) error {
		if err := bumpRevision(ctx, tx, t, `name = $3, description = $4, grouping = $5, tags = $6, active_version = $7`,
			t.Name, t.Description, sqlstore.JSON(storedoc.Grouping(t.Grouping)), sqlstore.JSON(t.Tags), t.ActiveVersion); err != nil {
			return err
		}
		if latest == nil {
			return nil
		}
		if err := updateLatest(ctx, tx, t.ID, latest); err != nil {
			return err
		}
		return touchKB(ctx, tx, t.KnowledgeBaseID, latest.ModifiedAt)
	})
}

// CreateVersion implements template.Store.
func (s *Store) CreateVersion(ctx context.Context, t *template.Template, v *template.Version, max int) error {
	err := s.writeTemplate(ctx, t, func(tx *txn) error {
		if err := bumpRevision(ctx, tx, t, `last_version = $3`, v.Number); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM q_template_versions WHERE template_id = $1 AND version > 0`, t.ID).Scan(&n); err != nil {
			return err
		}
		if n >= max {
			return fault.New(fault.Quota, "template %s has %d versions", t.ID, n)
		}
		if err := insertVersion(ctx, tx, t.ID, v); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO q_template_attachments(template_id, version, attachment_id, pos, name)
			SELECT template_id, $1, attachment_id, pos, name FROM q_template_attachments WHERE template_id = $2 AND version = 0`, v.Number, t.ID)
		return err
	})
	if err == nil {
		t.LastVersion = v.Number
	}
	return err
}

// DeleteVersion implements template.Store.
func (s *Store) DeleteVersion(ctx context.Context, t *template.Template, n int64) error {
	return s.writeTemplate(ctx, t, func(tx *txn) error {
		if err := bumpRevision(ctx, tx, t, ""); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `DELETE FROM q_template_versions WHERE template_id = $1 AND version = $2 AND version > 0`, t.ID, n)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return fault.NotFoundf(template.ResourceVersion, "version %d of %s not found", n, t.ID)
		}
		return collectFiles(ctx, tx)
	})
}

// DeleteTemplate implements template.Store.
func (s *Store) DeleteTemplate(ctx context.Context, kbID, id string) error {
	return s.tx(ctx, func(tx *txn) error {
		tag, err := tx.Exec(ctx, `DELETE FROM q_templates WHERE id = $1 AND kb_id = $2`, id, kbID)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return fault.NotFoundf(template.ResourceMessageTemplate, "message template %s not found", id)
		}
		if err := collectFiles(ctx, tx); err != nil {
			return err
		}
		return touchKB(ctx, tx, kbID, time.Now())
	})
}

// AddAttachment implements template.Store.
func (s *Store) AddAttachment(ctx context.Context, t *template.Template, latest *template.Version, a *template.Attachment, data []byte, max int, idem *template.Idem) error {
	err := s.writeTemplate(ctx, t, func(tx *txn) error {
		if err := takeTemplateIdem(ctx, tx, idem); err != nil {
			return err
		}
		if err := bumpRevision(ctx, tx, t, ""); err != nil {
			return err
		}
		var n, pos int
		if err := tx.QueryRow(ctx, `SELECT count(*), COALESCE(max(pos), 0) FROM q_template_attachments WHERE template_id = $1 AND version = 0`, t.ID).Scan(&n, &pos); err != nil {
			return err
		}
		if n >= max {
			return fault.New(fault.Quota, "template %s has %d attachments", t.ID, n)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO q_attachment_files(id, name, content_type, size, sha256, uploaded_at, data) VALUES ($1,$2,$3,$4,$5,$6,$7)`,
			a.ID, a.Name, a.ContentType, a.Size, a.SHA256, tm(a.UploadedAt), data); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO q_template_attachments(template_id, version, attachment_id, pos, name) VALUES ($1,0,$2,$3,$4)`, t.ID, a.ID, pos+1, a.Name)
		if isUnique(err) {
			return fault.New(fault.Duplicate, "template %s has an attachment named %s", t.ID, a.Name)
		}
		if err != nil {
			return err
		}
		if err := updateLatest(ctx, tx, t.ID, latest); err != nil {
			return err
		}
		return touchKB(ctx, tx, t.KnowledgeBaseID, latest.ModifiedAt)
	})
	return s.templateIdemResult(ctx, err, idem)
}

// RemoveAttachment implements template.Store.
func (s *Store) RemoveAttachment(ctx context.Context, t *template.Template, latest *template.Version, attachmentID string) error {
	return s.writeTemplate(ctx, t, func(tx *txn) error {
		if err := bumpRevision(ctx, tx, t, ""); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `DELETE FROM q_template_attachments WHERE template_id = $1 AND version = 0 AND attachment_id = $2`, t.ID, attachmentID)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return fault.NotFoundf(template.ResourceAttachment, "attachment %s not found", attachmentID)
		}
		if err := updateLatest(ctx, tx, t.ID, latest); err != nil {
			return err
		}
		if err := collectFiles(ctx, tx); err != nil {
			return err
		}
		return touchKB(ctx, tx, t.KnowledgeBaseID, latest.ModifiedAt)
	})
}

// AttachmentData implements template.Store.
func (s *Store) AttachmentData(ctx context.Context, attachmentID string) (*template.Attachment, []byte, error) {
	var a template.Attachment
	var data []byte
	err := s.pool.QueryRow(ctx, `SELECT id, name, content_type, size, sha256, uploaded_at, data FROM q_attachment_files WHERE id = $1`, attachmentID).
		Scan(&a.ID, &a.Name, &a.ContentType, &a.Size, &a.SHA256, &a.UploadedAt, &data)
	if notFound(err) {
		return nil, nil, fault.NotFoundf(template.ResourceAttachment, "attachment %s not found", attachmentID)
	}
	if err != nil {
		return nil, nil, err
	}
	a.UploadedAt = fromTS(&a.UploadedAt)
	return &a, data, nil
}
