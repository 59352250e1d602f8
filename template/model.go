package template

import (
	"context"
	"time"

	"github.com/connectmail/connectmail/fault"
	"github.com/connectmail/connectmail/render"
)

// KnowledgeBaseTypeMessageTemplates is the only knowledge base type served.
const KnowledgeBaseTypeMessageTemplates = "MESSAGE_TEMPLATES"

// Channel subtypes of message templates.
const (
	SubtypeEmail    = "EMAIL"
	SubtypeSMS      = "SMS"
	SubtypeWhatsApp = "WHATSAPP"
	SubtypePush     = "PUSH"
)

// Qualifiers managed by the service.
const (
	QualifierLatest = "$LATEST"
	QualifierActive = "$ACTIVE_VERSION"
)

// KnowledgeBase is a knowledge base of message templates.
type KnowledgeBase struct {
	ID          string
	ARN         string
	Region      string
	Name        string
	Description string
	Type        string
	Status      string
	KMSKeyID    string
	CreatedAt   time.Time
	// ContentModifiedAt is when a template in it last changed.
	ContentModifiedAt time.Time
	Tags              map[string]string
}

// Template is a message template: the metadata shared by all its versions,
// and its $LATEST version.
type Template struct {
	ID              string
	KnowledgeBaseID string
	Name            string
	Description     string
	ChannelSubtype  string
	Grouping        *Grouping
	Tags            map[string]string
	CreatedAt       time.Time
	// ActiveVersion is the number $ACTIVE_VERSION resolves to, 0 when none.
	ActiveVersion int64
	// LastVersion is the highest version number ever assigned.
	LastVersion int64
	// Revision increases with every change to the template, its versions or
	// attachments; stores refuse a write based on an older revision with ErrStale.
	Revision int64
	// Latest is the $LATEST version (Number 0).
	Latest *Version
}

// Version is one version of a template; Number 0 is $LATEST.
type Version struct {
	Number            int64
	Content           *Content
	Language          string
	DefaultAttributes *render.Attributes
	SHA256            string
	ModifiedAt        time.Time
	ModifiedBy        string
	Attachments       []Attachment
}

// Attachment describes a file attached to a template version; the bytes are
// read with Store.AttachmentData.
type Attachment struct {
	ID          string
	Name        string
	ContentType string
	Size        int64
	// SHA256 is the lower-case hex SHA-256 of the file.
	SHA256     string
	UploadedAt time.Time
}

// Content is the content of a message template: email or SMS. WhatsApp
// and Push tell that a request gave those kinds, which are refused.
type Content struct {
	Email    *EmailContent
	SMS      *SMSContent
	WhatsApp bool
	Push     bool
}

// EmailContent is the content of an email template.
type EmailContent struct {
	Subject string
	Body    *EmailBody
	Headers []Header
}

// EmailBody is the body of an email template: plain text, HTML or both.
type EmailBody struct {
	PlainText *BodyContent
	HTML      *BodyContent
}

// BodyContent is one body text.
type BodyContent struct {
	Content string
}

// Header is an email header of a template.
type Header struct {
	Name  string
	Value string
}

// SMSContent is the content of an SMS template.
type SMSContent struct {
	Body *SMSBody
}

// SMSBody is the body of an SMS template.
type SMSBody struct {
	PlainText *BodyContent
}

// Grouping says which routing profiles a template is for.
type Grouping struct {
	Criteria string
	Values   []string
}

// Idem is an idempotency record written in the same transaction as a create.
type Idem struct {
	Op       string
	Token    string
	Hash     string
	Response []byte
}

// Replayed is returned by a Store when a create's idempotency record already
// exists with the same request hash; Response is the stored response.
type Replayed struct{ Response []byte }

// Error implements error.
func (r *Replayed) Error() string { return "idempotent replay" }

// ErrStale is returned by a Store when a template write is based on a
// revision that is no longer current; the Service retries.
var ErrStale error = &fault.Error{Kind: fault.Conflict, Message: "The message template was modified concurrently; retry the request."}

// ErrLimit is returned by a store when a write would exceed the limit the
// Service passed (the most knowledge bases in a region, templates in a
// knowledge base, versions or attachments of a template); the Service
// words the error. Its kind is fault.Quota.
var ErrLimit error = &fault.Error{Kind: fault.Quota, Message: "limit reached"}

// The bare errors the stores return, one per condition, with the kind (and
// the resource type a NotFound names) the wire needs and no message: the
// Service words each where it calls the store (fault.Word).
var (
	ErrKnowledgeBaseNotFound  error = &fault.Error{Kind: fault.NotFound, Resource: ResourceKnowledgeBase}
	ErrKnowledgeBaseNameTaken error = &fault.Error{Kind: fault.Duplicate}
	ErrTemplateNotFound       error = &fault.Error{Kind: fault.NotFound, Resource: ResourceMessageTemplate}
	ErrTemplateNameTaken      error = &fault.Error{Kind: fault.Duplicate}
	ErrVersionNotFound        error = &fault.Error{Kind: fault.NotFound, Resource: ResourceVersion}
	ErrAttachmentNotFound     error = &fault.Error{Kind: fault.NotFound, Resource: ResourceAttachment}
	// ErrAttachmentNameTaken: $LATEST has an attachment with the name.
	ErrAttachmentNameTaken error = &fault.Error{Kind: fault.Duplicate}
)

// The stores of the template aggregates. Every method is atomic.
// Not-found conditions are the ErrXNotFound errors above, name collisions
// the ErrXNameTaken ones, exceeded limits ErrLimit. With an idem, a record with
// the same token and hash gives *Replayed, the same token with another
// hash fault.Idempotency.

// Stores are the stores a Service uses (one value usually implements them
// all).
type Stores struct {
	KnowledgeBases KnowledgeBaseStore
	Templates      TemplateStore
	Attachments    AttachmentStore
}

// StoresOf returns the template stores v implements, and whether it
// implements all of them (as both engines' stores do).
func StoresOf(v any) (Stores, bool) {
	kbs, ok1 := v.(KnowledgeBaseStore)
	ts, ok2 := v.(TemplateStore)
	as, ok3 := v.(AttachmentStore)
	return Stores{KnowledgeBases: kbs, Templates: ts, Attachments: as}, ok1 && ok2 && ok3
}

// KnowledgeBaseStore persists knowledge bases.
type KnowledgeBaseStore interface {
	// CreateKnowledgeBase inserts kb unless its region already holds max
	// knowledge bases (ErrLimit) or one with its name.
	CreateKnowledgeBase(ctx context.Context, kb *KnowledgeBase, max int, idem *Idem) error
	// GetKnowledgeBase returns a knowledge base of region.
	GetKnowledgeBase(ctx context.Context, region, id string) (*KnowledgeBase, error)
	// ListKnowledgeBases returns the knowledge bases of region, oldest first.
	ListKnowledgeBases(ctx context.Context, region string) ([]*KnowledgeBase, error)
	// ModifyKnowledgeBaseTags calls fn with the tags of a knowledge base
	// inside a transaction and stores the tags it returns; an error from
	// fn aborts.
	ModifyKnowledgeBaseTags(ctx context.Context, region, id string, fn func(map[string]string) (map[string]string, error)) error
	// DeleteKnowledgeBase deletes a knowledge base with its templates.
	DeleteKnowledgeBase(ctx context.Context, region, id string) error
}

// TemplateStore persists message templates and their versions.
type TemplateStore interface {
	// CreateTemplate inserts t and t.Latest unless the knowledge base holds
	// max templates (ErrLimit) or one with t's name.
	CreateTemplate(ctx context.Context, t *Template, max int, idem *Idem) error
	// GetTemplate returns a template of a knowledge base with its $LATEST version.
	GetTemplate(ctx context.Context, kbID, id string) (*Template, error)
	// ListTemplates returns the templates of a knowledge base with their
	// $LATEST versions, oldest first.
	ListTemplates(ctx context.Context, kbID string) ([]*Template, error)
	// GetVersion returns version n (0 for $LATEST) of a template.
	GetVersion(ctx context.Context, templateID string, n int64) (*Version, error)
	// ListVersions returns the numbered versions of a template, ascending.
	ListVersions(ctx context.Context, templateID string) ([]*Version, error)
	// SaveTemplate writes t's metadata (name, description, grouping, tags,
	// active version) and, when latest is not nil, the $LATEST version's
	// content, language, default attributes, checksum and modification, if
	// t.Revision is still current (ErrStale otherwise). It increments
	// t.Revision.
	SaveTemplate(ctx context.Context, t *Template, latest *Version) error
	// CreateVersion inserts v, a snapshot of $LATEST including its
	// attachments, as version v.Number, sets t.LastVersion to it, if
	// t.Revision is current and fewer than max numbered versions exist
	// (ErrLimit otherwise).
	CreateVersion(ctx context.Context, t *Template, v *Version, max int) error
	// DeleteVersion deletes numbered version n if t.Revision is current.
	DeleteVersion(ctx context.Context, t *Template, n int64) error
	// DeleteTemplate deletes a template with all its versions.
	DeleteTemplate(ctx context.Context, kbID, id string) error
}

// AttachmentStore persists the attachments of templates' $LATEST versions.
type AttachmentStore interface {
	// AddAttachment stores data as attachment a of $LATEST and writes
	// latest's checksum and modification, if t.Revision is current, $LATEST
	// has fewer than max attachments (ErrLimit otherwise) and none named
	// a.Name.
	AddAttachment(ctx context.Context, t *Template, latest *Version, a *Attachment, data []byte, max int, idem *Idem) error
	// RemoveAttachment removes an attachment from $LATEST and writes latest's
	// checksum and modification, if t.Revision is current.
	RemoveAttachment(ctx context.Context, t *Template, latest *Version, attachmentID string) error
	// AttachmentData returns an attachment (as first uploaded) and its bytes.
	AttachmentData(ctx context.Context, attachmentID string) (*Attachment, []byte, error)
}

// templateErr words a TemplateStore's bare errors about t, for the calls
// that pass them on.
func templateErr(err error, t *Template) error {
	err = fault.Word(err, ErrTemplateNotFound, "message template %s not found", t.ID)
	return fault.Word(err, ErrTemplateNameTaken, "template name %s is taken", t.Name)
}
