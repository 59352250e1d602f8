package template

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/connectmail/connectmail/connect"
	"github.com/connectmail/connectmail/fault"
	"github.com/connectmail/connectmail/render"
	"github.com/google/uuid"
)

// supportedLanguages are the language codes qconnect documents for templates.
var supportedLanguages = []string{"de_DE", "en_US", "es_ES", "fr_FR", "id_ID", "it_IT", "ja_JP", "ko_KR", "pt_BR", "zh_CN", "zh_TW"}

// reservedHeader reports whether an email header is one the composer writes
// itself, which a template may not set.
func reservedHeader(name string) bool {
	switch strings.ToLower(name) {
	case "from", "to", "cc", "bcc", "subject", "date", "message-id", "in-reply-to", "references",
		"mime-version", "dkim-signature", "received", "return-path", "sender":
		return true
	}
	return strings.HasPrefix(strings.ToLower(name), "content-")
}

// validateContent checks content against the template's channel subtype and
// the limits the model cannot express.
func validateContent(subtype string, c *Content) error {
	if c == nil {
		return nil
	}
	if c.WhatsApp || c.Push {
		return fault.New(fault.Invalid, "connectmail serves EMAIL and SMS message templates only; whatsApp and push content are not supported.")
	}
	switch subtype {
	case SubtypeEmail:
		if c.Email == nil {
			return fault.New(fault.Invalid, "The content of an EMAIL message template must be email content.")
		}
		e := c.Email
		n := utf8.RuneCountInString(e.Subject)
		if e.Body != nil {
			if e.Body.PlainText != nil {
				n += utf8.RuneCountInString(e.Body.PlainText.Content)
			}
			if e.Body.HTML != nil {
				n += utf8.RuneCountInString(e.Body.HTML.Content)
			}
		}
		if n > MaxEmailTemplateChars {
			return fault.New(fault.Invalid, "An email message template can have at most %d characters.", MaxEmailTemplateChars)
		}
		for i, h := range e.Headers {
			if reservedHeader(h.Name) {
				return fault.New(fault.Invalid, "content.email.headers[%d]: the header %s is set by connectmail and cannot be in a template.", i, h.Name)
			}
			if strings.ContainsAny(h.Value, "\r\n\x00") {
				return fault.New(fault.Invalid, "content.email.headers[%d]: header values cannot contain line breaks.", i)
			}
		}
	case SubtypeSMS:
		if c.SMS == nil {
			return fault.New(fault.Invalid, "The content of an SMS message template must be sms content.")
		}
		if c.SMS.Body != nil && c.SMS.Body.PlainText != nil && utf8.RuneCountInString(c.SMS.Body.PlainText.Content) > MaxSMSTemplateChars {
			return fault.New(fault.Invalid, "An SMS message template can have at most %d characters.", MaxSMSTemplateChars)
		}
	}
	return nil
}

func validateLanguage(lang string) error {
	if lang != "" && !slices.Contains(supportedLanguages, lang) {
		return fault.New(fault.Invalid, "The language %s is not supported; use one of %s.", lang, strings.Join(supportedLanguages, ", "))
	}
	return nil
}

func noSourceConfiguration(given bool) error {
	if given {
		return fault.New(fault.Invalid, "sourceConfiguration applies to WHATSAPP message templates only, which connectmail does not serve.")
	}
	return nil
}

// texts returns the template texts that can hold placeholders.
func (c *Content) texts() []string {
	if c == nil {
		return nil
	}
	var out []string
	if e := c.Email; e != nil {
		out = append(out, e.Subject)
		for _, h := range e.Headers {
			out = append(out, h.Value)
		}
		if e.Body != nil {
			if e.Body.PlainText != nil {
				out = append(out, e.Body.PlainText.Content)
			}
			if e.Body.HTML != nil {
				out = append(out, e.Body.HTML.Content)
			}
		}
	}
	if s := c.SMS; s != nil && s.Body != nil && s.Body.PlainText != nil {
		out = append(out, s.Body.PlainText.Content)
	}
	return out
}

// copyVersion returns a copy of v whose slices can be changed independently.
func copyVersion(v *Version) *Version {
	c := *v
	c.Attachments = slices.Clone(v.Attachments)
	return &c
}

// loaded is a resolved template reference.
type loaded struct {
	kb  *KnowledgeBase
	t   *Template
	ref templateRef
}

// load resolves a knowledge base and a message template identifier. op names
// the operation in the error refusing a qualifier when allowQualifier is false.
func (s *Service) load(ctx context.Context, kbRef, tmplRef, op string, allowQualifier bool) (*loaded, error) {
	kb, err := s.knowledgeBase(ctx, kbRef)
	if err != nil {
		return nil, err
	}
	ref, err := parseTemplateRef(tmplRef)
	if err != nil {
		return nil, err
	}
	if ref.Q.Given && !allowQualifier {
		return nil, fault.New(fault.Invalid, "The messageTemplateId of %s cannot contain a qualifier (%s).", op, tmplRef)
	}
	notFound := fault.NotFoundf(ResourceMessageTemplate, "Message template %s not found in knowledge base %s.", tmplRef, kb.ID)
	if ref.KnowledgeBaseID != "" {
		if ref.KnowledgeBaseID != kb.ID {
			return nil, fault.New(fault.Invalid, "The message template ARN %s belongs to knowledge base %s, not %s.", tmplRef, ref.KnowledgeBaseID, kb.ID)
		}
		if ref.Account != s.cfg.AccountID || ref.Region != kb.Region {
			return nil, notFound
		}
	}
	t, err := s.cfg.Stores.Templates.GetTemplate(ctx, kb.ID, ref.ID)
	if fault.Is(err, fault.NotFound) {
		return nil, notFound
	}
	if err != nil {
		return nil, err
	}
	return &loaded{kb: kb, t: t, ref: ref}, nil
}

// version resolves a qualifier of t (none means $LATEST).
func (s *Service) version(ctx context.Context, t *Template, q qualifier) (*Version, error) {
	n := q.Number
	switch {
	case !q.Given || q.Latest:
		return t.Latest, nil
	case q.Active:
		if t.ActiveVersion == 0 {
			return nil, fault.NotFoundf(ResourceVersion, "Message template %s has no active version.", t.ID)
		}
		n = t.ActiveVersion
	}
	v, err := s.cfg.Stores.Templates.GetVersion(ctx, t.ID, n)
	if fault.Is(err, fault.NotFound) {
		return nil, fault.NotFoundf(ResourceVersion, "Version %d of message template %s not found.", n, t.ID)
	}
	return v, err
}

func (s *Service) attachmentView(a Attachment) AttachmentData {
	exp := s.now().Add(s.cfg.URLExpiry).Truncate(time.Second)
	return AttachmentData{
		ContentDisposition: "ATTACHMENT", Name: a.Name, UploadedTime: a.UploadedAt,
		URLExpiry: exp, URLQuery: s.attachmentQuery(a.ID, exp), AttachmentID: a.ID,
	}
}

// view renders a template version as MessageTemplateData; extended adds
// attachments, isActive and versionNumber.
func (s *Service) view(kb *KnowledgeBase, t *Template, v *Version, extended bool) *MessageTemplateData {
	d := &MessageTemplateData{
		MessageTemplateARN: s.templateARN(kb, t.ID, v.Number), MessageTemplateID: t.ID,
		KnowledgeBaseARN: kb.ARN, KnowledgeBaseID: kb.ID, Name: t.Name,
		Channel: t.ChannelSubtype, ChannelSubtype: t.ChannelSubtype,
		CreatedTime: t.CreatedAt, LastModifiedTime: v.ModifiedAt, LastModifiedBy: v.ModifiedBy,
		Content: v.Content, Description: t.Description, Language: v.Language,
		GroupingConfiguration: t.Grouping, DefaultAttributes: v.DefaultAttributes,
		AttributeTypes:               render.AttributeTypes(v.Content.texts()...),
		MessageTemplateContentSha256: v.SHA256, Tags: t.Tags,
	}
	if extended {
		for _, a := range v.Attachments {
			d.Attachments = append(d.Attachments, s.attachmentView(a))
		}
		if v.Number > 0 {
			active := t.ActiveVersion == v.Number
			d.IsActive = &active
			d.VersionNumber = v.Number
		}
	}
	return d
}

// CreateMessageTemplate creates a message template ($LATEST) in a knowledge base.
func (s *Service) CreateMessageTemplate(ctx context.Context, in *CreateMessageTemplateInput) (*MessageTemplateOutput, error) {
	kb, err := s.knowledgeBase(ctx, in.KnowledgeBaseID)
	if err != nil {
		return nil, err
	}
	switch in.ChannelSubtype {
	case SubtypeEmail, SubtypeSMS:
	default:
		return nil, fault.New(fault.Invalid, "connectmail serves EMAIL and SMS message templates only; channelSubtype %s is not supported.", in.ChannelSubtype)
	}
	if in.Name == "" {
		return nil, fault.New(fault.Invalid, "name is required: a message template needs a name, unique in its knowledge base.")
	}
	if err := noSourceConfiguration(in.HasSourceConfiguration); err != nil {
		return nil, err
	}
	if err := validateContent(in.ChannelSubtype, in.Content); err != nil {
		return nil, err
	}
	if err := validateLanguage(in.Language); err != nil {
		return nil, err
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	now := s.now()
	t := &Template{
		ID: uuid.NewString(), KnowledgeBaseID: kb.ID, Name: in.Name, Description: in.Description,
		ChannelSubtype: in.ChannelSubtype, Grouping: in.GroupingConfiguration, Tags: in.Tags, CreatedAt: now,
		Latest: &Version{
			Content: in.Content, Language: in.Language, DefaultAttributes: in.DefaultAttributes,
			ModifiedAt: now, ModifiedBy: s.callerARN(ctx),
		},
	}
	t.Latest.SHA256 = checksum(t.Latest)
	out := &MessageTemplateOutput{MessageTemplate: s.view(kb, t, t.Latest, false)}
	tok := in.ClientToken
	req := *in
	req.ClientToken = connect.ClientToken{}
	err = s.cfg.Stores.Templates.CreateTemplate(ctx, t, s.cfg.MaxTemplates, newIdem("qconnect:CreateMessageTemplate:"+kb.ID, tok, &req, out))
	if ok, err := replay(err, out); ok || err != nil {
		switch {
		case fault.Is(err, fault.Duplicate):
			return nil, fault.New(fault.Duplicate, "A message template named %s already exists in knowledge base %s.", in.Name, kb.ID)
		case errors.Is(err, ErrLimit):
			return nil, fault.New(fault.Quota, "Knowledge base %s already has %d message templates, the most it can have.", kb.ID, s.cfg.MaxTemplates)
		case fault.Is(err, fault.NotFound):
			return nil, fault.NotFoundf(ResourceKnowledgeBase, "Knowledge base %s not found.", in.KnowledgeBaseID)
		}
		return out, idemConflict(err, tok)
	}
	return out, nil
}

// GetMessageTemplate returns a template version ($LATEST when no qualifier).
func (s *Service) GetMessageTemplate(ctx context.Context, kbRef, tmplRef string) (*MessageTemplateOutput, error) {
	l, err := s.load(ctx, kbRef, tmplRef, "GetMessageTemplate", true)
	if err != nil {
		return nil, err
	}
	v, err := s.version(ctx, l.t, l.ref.Q)
	if err != nil {
		return nil, err
	}
	return &MessageTemplateOutput{MessageTemplate: s.view(l.kb, l.t, v, true)}, nil
}

// modify loads a template (no qualifier allowed) and runs fn, retrying when
// the template changed concurrently.
func (s *Service) modify(ctx context.Context, kbRef, tmplRef, op string, fn func(l *loaded) error) error {
	for attempt := 0; ; attempt++ {
		l, err := s.load(ctx, kbRef, tmplRef, op, false)
		if err != nil {
			return err
		}
		err = fn(l)
		if errors.Is(err, ErrStale) && attempt < maxRetries {
			continue
		}
		return err
	}
}

// UpdateMessageTemplate updates the $LATEST content, language and default attributes.
func (s *Service) UpdateMessageTemplate(ctx context.Context, in *UpdateMessageTemplateInput) (*MessageTemplateOutput, error) {
	if err := noSourceConfiguration(in.HasSourceConfiguration); err != nil {
		return nil, err
	}
	var out *MessageTemplateOutput
	err := s.modify(ctx, in.KnowledgeBaseID, in.MessageTemplateID, "UpdateMessageTemplate", func(l *loaded) error {
		latest := copyVersion(l.t.Latest)
		if in.Content != nil {
			if err := validateContent(l.t.ChannelSubtype, in.Content); err != nil {
				return err
			}
			latest.Content = in.Content
		}
		if in.Language != nil {
			if err := validateLanguage(*in.Language); err != nil {
				return err
			}
			latest.Language = *in.Language
		}
		if in.DefaultAttributes != nil {
			latest.DefaultAttributes = in.DefaultAttributes
		}
		latest.SHA256 = checksum(latest)
		latest.ModifiedAt, latest.ModifiedBy = s.now(), s.callerARN(ctx)
		if err := s.cfg.Stores.Templates.SaveTemplate(ctx, l.t, latest); err != nil {
			return templateErr(err, l.t)
		}
		l.t.Latest = latest
		out = &MessageTemplateOutput{MessageTemplate: s.view(l.kb, l.t, latest, false)}
		return nil
	})
	return out, err
}

// UpdateMessageTemplateMetadata updates the name, description and grouping
// configuration, which all versions share.
func (s *Service) UpdateMessageTemplateMetadata(ctx context.Context, in *UpdateMessageTemplateMetadataInput) (*MessageTemplateOutput, error) {
	var out *MessageTemplateOutput
	err := s.modify(ctx, in.KnowledgeBaseID, in.MessageTemplateID, "UpdateMessageTemplateMetadata", func(l *loaded) error {
		t := l.t
		if in.Name != nil {
			t.Name = *in.Name
		}
		if in.Description != nil {
			t.Description = *in.Description
		}
		if in.GroupingConfiguration != nil {
			t.Grouping = in.GroupingConfiguration
		}
		latest := copyVersion(t.Latest)
		latest.ModifiedAt, latest.ModifiedBy = s.now(), s.callerARN(ctx)
		if err := s.cfg.Stores.Templates.SaveTemplate(ctx, t, latest); err != nil {
			if fault.Is(err, fault.Duplicate) {
				return fault.New(fault.Duplicate, "A message template named %s already exists in knowledge base %s.", t.Name, l.kb.ID)
			}
			return templateErr(err, t)
		}
		t.Latest = latest
		out = &MessageTemplateOutput{MessageTemplate: s.view(l.kb, t, latest, false)}
		return nil
	})
	return out, err
}

// CreateMessageTemplateVersion snapshots $LATEST as a new immutable version,
// or returns the newest version when $LATEST has not changed since it.
func (s *Service) CreateMessageTemplateVersion(ctx context.Context, in *CreateMessageTemplateVersionInput) (*MessageTemplateOutput, error) {
	var out *MessageTemplateOutput
	err := s.modify(ctx, in.KnowledgeBaseID, in.MessageTemplateID, "CreateMessageTemplateVersion", func(l *loaded) error {
		t := l.t
		if in.MessageTemplateContentSha256 != "" && in.MessageTemplateContentSha256 != t.Latest.SHA256 {
			return fault.New(fault.Conflict, "messageTemplateContentSha256 %s does not match the $LATEST content of message template %s (%s): it changed since it was read.",
				in.MessageTemplateContentSha256, t.ID, t.Latest.SHA256)
		}
		versions, err := s.cfg.Stores.Templates.ListVersions(ctx, t.ID)
		if err != nil {
			return err
		}
		if n := len(versions); n > 0 && versions[n-1].SHA256 == t.Latest.SHA256 {
			out = &MessageTemplateOutput{MessageTemplate: s.view(l.kb, t, versions[n-1], true)}
			return nil
		}
		v := copyVersion(t.Latest)
		v.Number = t.LastVersion + 1
		v.ModifiedAt, v.ModifiedBy = s.now(), s.callerARN(ctx)
		if err := s.cfg.Stores.Templates.CreateVersion(ctx, t, v, s.cfg.MaxVersions); err != nil {
			if errors.Is(err, ErrLimit) {
				return fault.New(fault.Quota, "Message template %s already has %d versions, the most it can have; delete one first.", t.ID, s.cfg.MaxVersions)
			}
			return templateErr(err, t)
		}
		out = &MessageTemplateOutput{MessageTemplate: s.view(l.kb, t, v, true)}
		return nil
	})
	return out, err
}

// ActivateMessageTemplate makes a version the one $ACTIVE_VERSION resolves to.
func (s *Service) ActivateMessageTemplate(ctx context.Context, in *VersionInput) (*VersionOutput, error) {
	return s.setActive(ctx, in, "ActivateMessageTemplate", true)
}

// DeactivateMessageTemplate deactivates the active version.
func (s *Service) DeactivateMessageTemplate(ctx context.Context, in *VersionInput) (*VersionOutput, error) {
	return s.setActive(ctx, in, "DeactivateMessageTemplate", false)
}

func (s *Service) setActive(ctx context.Context, in *VersionInput, op string, activate bool) (*VersionOutput, error) {
	var out *VersionOutput
	err := s.modify(ctx, in.KnowledgeBaseID, in.MessageTemplateID, op, func(l *loaded) error {
		t := l.t
		if _, err := s.version(ctx, t, qualifier{Given: true, Number: in.VersionNumber}); err != nil {
			return err
		}
		switch {
		case activate && t.ActiveVersion != in.VersionNumber:
			t.ActiveVersion = in.VersionNumber
		case !activate && t.ActiveVersion != in.VersionNumber:
			return fault.New(fault.Conflict, "Version %d of message template %s is not active.", in.VersionNumber, t.ID)
		case !activate:
			t.ActiveVersion = 0
		}
		if err := s.cfg.Stores.Templates.SaveTemplate(ctx, t, nil); err != nil {
			return templateErr(err, t)
		}
		out = &VersionOutput{MessageTemplateARN: s.templateARN(l.kb, t.ID, in.VersionNumber), MessageTemplateID: t.ID, VersionNumber: in.VersionNumber}
		return nil
	})
	return out, err
}

func templateKey(t *Template) string {
	return strconv.FormatInt(t.CreatedAt.UnixMilli(), 36) + "/" + t.ID
}

// ListMessageTemplates pages the templates of a knowledge base, oldest first.
func (s *Service) ListMessageTemplates(ctx context.Context, kbRef, nextToken string, maxResults int) (*ListMessageTemplatesOutput, error) {
	kb, err := s.knowledgeBase(ctx, kbRef)
	if err != nil {
		return nil, err
	}
	all, err := s.cfg.Stores.Templates.ListTemplates(ctx, kb.ID)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(all, func(a, b *Template) int { return strings.Compare(templateKey(a), templateKey(b)) })
	list, next, err := page(all, templateKey, nextToken, maxResults)
	if err != nil {
		return nil, err
	}
	out := &ListMessageTemplatesOutput{MessageTemplateSummaries: []MessageTemplateSummary{}, NextToken: next}
	for _, t := range list {
		out.MessageTemplateSummaries = append(out.MessageTemplateSummaries, MessageTemplateSummary{
			MessageTemplateARN: s.templateARN(kb, t.ID, 0), MessageTemplateID: t.ID,
			KnowledgeBaseARN: kb.ARN, KnowledgeBaseID: kb.ID, Name: t.Name,
			Channel: t.ChannelSubtype, ChannelSubtype: t.ChannelSubtype,
			CreatedTime: t.CreatedAt, LastModifiedTime: t.Latest.ModifiedAt, LastModifiedBy: t.Latest.ModifiedBy,
			ActiveVersionNumber: t.ActiveVersion, Description: t.Description, Tags: t.Tags,
		})
	}
	return out, nil
}

// ListMessageTemplateVersions pages the numbered versions of a template.
func (s *Service) ListMessageTemplateVersions(ctx context.Context, kbRef, tmplRef, nextToken string, maxResults int) (*ListMessageTemplateVersionsOutput, error) {
	l, err := s.load(ctx, kbRef, tmplRef, "ListMessageTemplateVersions", false)
	if err != nil {
		return nil, err
	}
	versions, err := s.cfg.Stores.Templates.ListVersions(ctx, l.t.ID)
	if err != nil {
		return nil, err
	}
	// Zero-padded so that the keys sort as the numbers do.
	key := func(v *Version) string { return strconv.FormatInt(v.Number+1e15, 10) }
	list, next, err := page(versions, key, nextToken, maxResults)
	if err != nil {
		return nil, err
	}
	out := &ListMessageTemplateVersionsOutput{MessageTemplateVersionSummaries: []MessageTemplateVersionSummary{}, NextToken: next}
	for _, v := range list {
		out.MessageTemplateVersionSummaries = append(out.MessageTemplateVersionSummaries, MessageTemplateVersionSummary{
			MessageTemplateARN: s.templateARN(l.kb, l.t.ID, v.Number), MessageTemplateID: l.t.ID,
			KnowledgeBaseARN: l.kb.ARN, KnowledgeBaseID: l.kb.ID, Name: l.t.Name,
			Channel: l.t.ChannelSubtype, ChannelSubtype: l.t.ChannelSubtype,
			IsActive: l.t.ActiveVersion == v.Number, VersionNumber: v.Number,
		})
	}
	return out, nil
}

// DeleteMessageTemplate deletes a template with all its versions, or only
// the numbered version its identifier's qualifier names.
func (s *Service) DeleteMessageTemplate(ctx context.Context, kbRef, tmplRef string) error {
	for attempt := 0; ; attempt++ {
		l, err := s.load(ctx, kbRef, tmplRef, "DeleteMessageTemplate", true)
		if err != nil {
			return err
		}
		q := l.ref.Q
		if !q.Given {
			err := s.cfg.Stores.Templates.DeleteTemplate(ctx, l.kb.ID, l.t.ID)
			if fault.Is(err, fault.NotFound) {
				return fault.NotFoundf(ResourceMessageTemplate, "Message template %s not found in knowledge base %s.", tmplRef, l.kb.ID)
			}
			return err
		}
		if q.Latest || q.Active {
			return fault.New(fault.Invalid, "DeleteMessageTemplate takes a version number as qualifier (%s): $LATEST and $ACTIVE_VERSION cannot be deleted on their own.", tmplRef)
		}
		if _, err := s.version(ctx, l.t, q); err != nil {
			return err
		}
		if l.t.ActiveVersion == q.Number {
			return fault.New(fault.Conflict, "Version %d of message template %s is active; deactivate it before deleting it.", q.Number, l.t.ID)
		}
		err = s.cfg.Stores.Templates.DeleteVersion(ctx, l.t, q.Number)
		if errors.Is(err, ErrStale) && attempt < maxRetries {
			continue
		}
		return fault.Word(templateErr(err, l.t), ErrVersionNotFound, "version %d of %s not found", q.Number, l.t.ID)
	}
}

// contentTypes maps file name extensions to media types for attachments; a
// fixed table so that every machine sends the same type.
var contentTypes = map[string]string{
	".pdf": "application/pdf", ".txt": "text/plain", ".csv": "text/csv", ".htm": "text/html", ".html": "text/html",
	".ics": "text/calendar", ".json": "application/json", ".xml": "application/xml", ".zip": "application/zip",
	".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif", ".webp": "image/webp",
	".svg": "image/svg+xml", ".bmp": "image/bmp", ".tif": "image/tiff", ".tiff": "image/tiff",
	".doc": "application/msword", ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	".xls": "application/vnd.ms-excel", ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	".ppt": "application/vnd.ms-powerpoint", ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
	".rtf": "application/rtf", ".mp3": "audio/mpeg", ".wav": "audio/wav", ".mp4": "video/mp4",
}

// ContentTypeOf returns the media type sent for an attachment file name.
func ContentTypeOf(name string) string {
	if ct, ok := contentTypes[strings.ToLower(path.Ext(name))]; ok {
		return ct
	}
	return "application/octet-stream"
}

// CreateMessageTemplateAttachment uploads a file onto $LATEST.
func (s *Service) CreateMessageTemplateAttachment(ctx context.Context, in *CreateAttachmentInput) (*CreateAttachmentOutput, error) {
	data, err := base64.StdEncoding.DecodeString(in.Body)
	if err != nil {
		return nil, fault.New(fault.Invalid, "body must be the file encoded in base64: %v", err)
	}
	if len(data) > s.cfg.MaxAttachmentBytes {
		return nil, fault.New(fault.Quota, "An attachment can be at most %d bytes; %s has %d.", s.cfg.MaxAttachmentBytes, in.Name, len(data))
	}
	var out *CreateAttachmentOutput
	err = s.modify(ctx, in.KnowledgeBaseID, in.MessageTemplateID, "CreateMessageTemplateAttachment", func(l *loaded) error {
		t := l.t
		if t.ChannelSubtype != SubtypeEmail {
			return fault.New(fault.Invalid, "Only EMAIL message templates can have attachments.")
		}
		sum := sha256.Sum256(data)
		now := s.now()
		a := Attachment{
			ID: uuid.NewString(), Name: in.Name, ContentType: ContentTypeOf(in.Name),
			Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:]), UploadedAt: now,
		}
		latest := copyVersion(t.Latest)
		latest.Attachments = append(latest.Attachments, a)
		latest.SHA256 = checksum(latest)
		latest.ModifiedAt, latest.ModifiedBy = now, s.callerARN(ctx)
		res := &CreateAttachmentOutput{Attachment: &AttachmentData{}}
		*res.Attachment = s.attachmentView(a)
		req := *in
		req.ClientToken = connect.ClientToken{}
		idem := newIdem("qconnect:CreateMessageTemplateAttachment:"+t.ID, in.ClientToken, &req, res)
		err := s.cfg.Stores.Attachments.AddAttachment(ctx, t, latest, &a, data, s.cfg.MaxAttachments, idem)
		if ok, err := replay(err, res); ok || err != nil {
			switch {
			case fault.Is(err, fault.Duplicate):
				return fault.New(fault.Duplicate, "Message template %s already has an attachment named %s.", t.ID, in.Name)
			case errors.Is(err, ErrLimit):
				return fault.New(fault.Quota, "Message template %s already has %d attachments, the most it can have.", t.ID, s.cfg.MaxAttachments)
			}
			if err != nil {
				return idemConflict(err, in.ClientToken)
			}
		}
		out = res
		return nil
	})
	return out, err
}

// DeleteMessageTemplateAttachment removes an attachment from $LATEST; the
// versions that have it keep it.
func (s *Service) DeleteMessageTemplateAttachment(ctx context.Context, kbRef, tmplRef, attachmentID string) error {
	return s.modify(ctx, kbRef, tmplRef, "DeleteMessageTemplateAttachment", func(l *loaded) error {
		latest := copyVersion(l.t.Latest)
		i := slices.IndexFunc(latest.Attachments, func(a Attachment) bool { return a.ID == attachmentID })
		if i < 0 {
			return fault.NotFoundf(ResourceAttachment, "Attachment %s not found on message template %s.", attachmentID, l.t.ID)
		}
		latest.Attachments = slices.Delete(latest.Attachments, i, i+1)
		latest.SHA256 = checksum(latest)
		latest.ModifiedAt, latest.ModifiedBy = s.now(), s.callerARN(ctx)
		err := s.cfg.Stores.Attachments.RemoveAttachment(ctx, l.t, latest, attachmentID)
		return fault.Word(templateErr(err, l.t), ErrAttachmentNotFound, "attachment %s not found", attachmentID)
	})
}

// AttachmentFile returns an attachment's name, media type and bytes, for the
// download URL of attachments; query is the URL's query, which must carry
// the unexpired signature the URL was handed out with (fault.AccessDenied
// otherwise).
func (s *Service) AttachmentFile(ctx context.Context, attachmentID string, query url.Values) (name, contentType string, data []byte, err error) {
	if !isUUID(attachmentID) {
		return "", "", nil, fault.NotFoundf(ResourceAttachment, "Attachment %s not found.", attachmentID)
	}
	if err := s.checkAttachmentURL(attachmentID, query); err != nil {
		return "", "", nil, err
	}
	a, data, err := s.cfg.Stores.Attachments.AttachmentData(ctx, attachmentID)
	if fault.Is(err, fault.NotFound) {
		return "", "", nil, fault.NotFoundf(ResourceAttachment, "Attachment %s not found.", attachmentID)
	}
	if err != nil {
		return "", "", nil, err
	}
	return a.Name, a.ContentType, data, nil
}

// renderContent renders every text of c with attrs and returns the rendered
// content and the missing placeholders, in the order first seen.
func renderContent(c *Content, attrs *render.Attributes) (*Content, []string) {
	if c == nil {
		return nil, nil
	}
	var missing []string
	add := func(m []string) {
		for _, k := range m {
			if !slices.Contains(missing, k) {
				missing = append(missing, k)
			}
		}
	}
	do := func(s string, mode render.Mode) string {
		out, m := render.Render(s, attrs, mode)
		add(m)
		return out
	}
	out := &Content{}
	if e := c.Email; e != nil {
		re := &EmailContent{Subject: do(e.Subject, render.Text)}
		for _, h := range e.Headers {
			v := strings.NewReplacer("\r\n", " ", "\r", " ", "\n", " ").Replace(do(h.Value, render.Text))
			re.Headers = append(re.Headers, Header{Name: h.Name, Value: v})
		}
		if e.Body != nil {
			re.Body = &EmailBody{}
			if e.Body.PlainText != nil {
				re.Body.PlainText = &BodyContent{Content: do(e.Body.PlainText.Content, render.Text)}
			}
			if e.Body.HTML != nil {
				re.Body.HTML = &BodyContent{Content: do(e.Body.HTML.Content, render.HTML)}
			}
		}
		out.Email = re
	}
	if sm := c.SMS; sm != nil {
		rs := &SMSContent{}
		if sm.Body != nil {
			rs.Body = &SMSBody{}
			if sm.Body.PlainText != nil {
				rs.Body.PlainText = &BodyContent{Content: do(sm.Body.PlainText.Content, render.Text)}
			}
		}
		out.SMS = rs
	}
	return out, missing
}

// RenderMessageTemplate renders a template version with the request's
// attributes, falling back to the version's defaultAttributes.
func (s *Service) RenderMessageTemplate(ctx context.Context, in *RenderMessageTemplateInput) (*RenderMessageTemplateOutput, error) {
	l, err := s.load(ctx, in.KnowledgeBaseID, in.MessageTemplateID, "RenderMessageTemplate", true)
	if err != nil {
		return nil, err
	}
	v, err := s.version(ctx, l.t, l.ref.Q)
	if err != nil {
		return nil, err
	}
	content, missing := renderContent(v.Content, render.Merge(&in.Attributes, v.DefaultAttributes))
	out := &RenderMessageTemplateOutput{Content: content, AttributesNotInterpolated: missing}
	for _, a := range v.Attachments {
		out.Attachments = append(out.Attachments, s.attachmentView(a))
	}
	return out, nil
}

// RenderForSend implements connect.TemplateRenderer: it renders a template
// for StartOutboundEmailContact. Placeholders without a value stay in the
// message verbatim and are listed in NotInterpolated (see the package
// documentation).
func (s *Service) RenderForSend(ctx context.Context, r *connect.TemplateRequest) (*connect.RenderedTemplate, error) {
	l, err := s.load(ctx, r.KnowledgeBaseID, r.MessageTemplateID, "StartOutboundEmailContact", true)
	if err != nil {
		return nil, err
	}
	if l.t.ChannelSubtype != SubtypeEmail {
		return nil, fault.New(fault.Invalid, "Message template %s is an %s template; email contacts need an EMAIL template.", l.t.ID, l.t.ChannelSubtype)
	}
	v, err := s.version(ctx, l.t, l.ref.Q)
	if err != nil {
		return nil, err
	}
	req := &render.Attributes{Custom: r.Custom}
	if r.CustomerJSON != nil {
		cust, err := render.CustomerFromJSON(*r.CustomerJSON)
		if err != nil {
			return nil, &fault.Error{Kind: fault.Invalid, Message: "TemplateAttributes.CustomerProfileAttributes is not valid: " + err.Error(), Err: err}
		}
		req.Customer = cust
	}
	req.System.Name = r.SystemName
	req.System.CustomerEndpoint.Address = r.CustomerAddress
	req.System.SystemEndpoint.Address = r.SystemAddress
	content, missing := renderContent(v.Content, render.Merge(req, v.DefaultAttributes))
	out := &connect.RenderedTemplate{NotInterpolated: missing}
	qual := QualifierLatest
	if v.Number > 0 {
		qual = strconv.FormatInt(v.Number, 10)
	}
	out.Ref = l.kb.ID + "/" + l.t.ID + ":" + qual
	if content != nil && content.Email != nil {
		e := content.Email
		out.Subject = e.Subject
		for _, h := range e.Headers {
			out.Headers = append(out.Headers, [2]string{h.Name, h.Value})
		}
		if e.Body != nil {
			if e.Body.PlainText != nil {
				out.Text = e.Body.PlainText.Content
			}
			if e.Body.HTML != nil {
				out.HTML = e.Body.HTML.Content
			}
		}
	}
	for _, a := range v.Attachments {
		_, data, err := s.cfg.Stores.Attachments.AttachmentData(ctx, a.ID)
		if err != nil {
			return nil, fault.Wrap(err, "reading a template attachment failed")
		}
		out.Attachments = append(out.Attachments, connect.Attachment{Filename: a.Name, ContentType: a.ContentType, Data: data})
	}
	return out, nil
}
