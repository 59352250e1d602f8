package template

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/connectmail/connectmail/connect"
	"github.com/connectmail/connectmail/fault"
	"github.com/google/uuid"
)

// Resource names reported with not-found errors (qconnect's resourceName).
const (
	ResourceKnowledgeBase   = "KnowledgeBase"
	ResourceMessageTemplate = "MessageTemplate"
	ResourceVersion         = "MessageTemplateVersion"
	ResourceAttachment      = "MessageTemplateAttachment"
)

// Default quotas (the AWS service quotas).
const (
	DefaultMaxKnowledgeBases  = 10
	DefaultMaxTemplates       = 200
	DefaultMaxVersions        = 20
	DefaultMaxAttachments     = 10
	DefaultMaxAttachmentBytes = 1 << 20
	// MaxTags is the most tags a resource can carry.
	MaxTags = 50
	// MaxEmailTemplateChars and MaxSMSTemplateChars bound a template's text.
	MaxEmailTemplateChars = 5_000_000
	MaxSMSTemplateChars   = 800
)

// Config configures a Service.
type Config struct {
	// AccountID is the account of every ARN.
	AccountID string
	// Stores persist the knowledge bases, templates and attachments.
	Stores Stores
	// Now returns the current time (time.Now when nil).
	Now func() time.Time
	// URLExpiry is how long an attachment URL is valid (1 hour when 0): the
	// urlExpiry a response announces, after which the URL is refused.
	URLExpiry time.Duration
	// URLKey signs attachment URLs. Servers sharing a database share it (the
	// stores keep one per database), so that a URL one node handed out works
	// on all of them and after a restart; a random key when nil.
	URLKey []byte
	// Quotas; zero means the default.
	MaxKnowledgeBases  int
	MaxTemplates       int
	MaxVersions        int
	MaxAttachments     int
	MaxAttachmentBytes int
}

// Service implements the qconnect message template operations and
// connect.TemplateRenderer.
type Service struct {
	cfg Config
}

var _ connect.TemplateRenderer = (*Service)(nil)

// NewService returns a Service.
func NewService(cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.URLExpiry <= 0 {
		cfg.URLExpiry = time.Hour
	}
	if len(cfg.URLKey) == 0 {
		cfg.URLKey = randomKey()
	}
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&cfg.MaxKnowledgeBases, DefaultMaxKnowledgeBases)
	def(&cfg.MaxTemplates, DefaultMaxTemplates)
	def(&cfg.MaxVersions, DefaultMaxVersions)
	def(&cfg.MaxAttachments, DefaultMaxAttachments)
	def(&cfg.MaxAttachmentBytes, DefaultMaxAttachmentBytes)
	return &Service{cfg: cfg}
}

func (s *Service) now() time.Time { return s.cfg.Now().UTC().Truncate(time.Millisecond) }

func (s *Service) arn(region, resource string) string {
	return "arn:aws:wisdom:" + region + ":" + s.cfg.AccountID + ":" + resource
}

func (s *Service) templateARN(kb *KnowledgeBase, templateID string, version int64) string {
	a := s.arn(kb.Region, resMessageTemplate+"/"+kb.ID+"/"+templateID)
	if version > 0 {
		a += ":" + strconv.FormatInt(version, 10)
	}
	return a
}

// callerARN names the caller for lastModifiedBy.
func (s *Service) callerARN(ctx context.Context) string {
	key := connect.CallerFrom(ctx).AccessKeyID
	if key == "" {
		key = "anonymous"
	}
	clean := strings.Map(func(r rune) rune {
		if r < 128 && (r == '-' || r == '/' || r == ':' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return r
		}
		return '-'
	}, key)
	return "arn:aws:iam::" + s.cfg.AccountID + ":user/" + clean
}

// ---- pagination ----

func encodeToken(s string) string { return base64.RawURLEncoding.EncodeToString([]byte("q1:" + s)) }

func decodeToken(tok string) (string, error) {
	if tok == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || !strings.HasPrefix(string(b), "q1:") {
		return "", fault.New(fault.Invalid, "The nextToken is not valid.")
	}
	return string(b[3:]), nil
}

// page returns the items of list after the cursor token (ordered by key),
// at most max of them (100 when max <= 0), and the token of the next page.
func page[T any](list []T, key func(T) string, token string, max int) ([]T, string, error) {
	after, err := decodeToken(token)
	if err != nil {
		return nil, "", err
	}
	if max <= 0 {
		max = 100
	}
	start := 0
	if after != "" {
		start = sort.Search(len(list), func(i int) bool { return key(list[i]) > after })
	}
	list = list[start:]
	next := ""
	if len(list) > max {
		list = list[:max]
		next = encodeToken(key(list[max-1]))
	}
	return list, next, nil
}

// ---- idempotency ----

// newIdem is the idempotency record of a create: req is its input with the
// token cleared, used when tok does not carry the request.
func newIdem(op string, tok connect.ClientToken, req, resp any) *Idem {
	if tok.Token == "" {
		return nil
	}
	b := tok.Request
	if b == nil {
		b, _ = json.Marshal(req)
	}
	h := sha256.Sum256(append([]byte(op+"\x00"), b...))
	r, _ := json.Marshal(resp)
	return &Idem{Op: op, Token: tok.Token, Hash: hex.EncodeToString(h[:]), Response: r}
}

// replay decodes a stored response into out when err is *Replayed.
func replay(err error, out any) (bool, error) {
	var r *Replayed
	if !errors.As(err, &r) {
		return false, err
	}
	if uerr := json.Unmarshal(r.Response, out); uerr != nil {
		return true, fault.Wrap(uerr, "stored idempotent response is unreadable")
	}
	return true, nil
}

// replayed returns the stored response of an idempotent replay.
func replayed(err error) ([]byte, bool) {
	var r *Replayed
	if errors.As(err, &r) {
		return r.Response, true
	}
	return nil, false
}

// replayKnowledgeBase answers a replayed CreateKnowledgeBase with the
// knowledge base the stored response names, as it is now. (Earlier
// versions stored the wire response, whose member names match these
// ignoring case; its lastContentModificationTime was epoch seconds, which
// is why the rest of it is not read back.)
func (s *Service) replayKnowledgeBase(ctx context.Context, resp []byte) (*KnowledgeBaseOutput, error) {
	var ref struct {
		KnowledgeBase struct{ KnowledgeBaseID string }
	}
	if err := json.Unmarshal(resp, &ref); err != nil || ref.KnowledgeBase.KnowledgeBaseID == "" {
		return nil, fault.Wrap(errors.Join(err, errors.New("no knowledge base id")), "stored idempotent response is unreadable")
	}
	return s.GetKnowledgeBase(ctx, ref.KnowledgeBase.KnowledgeBaseID)
}

func idemConflict(err error, tok connect.ClientToken) error {
	token := tok.Token
	if fault.Is(err, fault.Idempotency) {
		return fault.New(fault.Idempotency, "The clientToken %s was already used with different request parameters.", token)
	}
	return err
}

// ---- knowledge bases ----

func checkTags(tags map[string]string) error {
	if len(tags) > MaxTags {
		return fault.New(fault.Invalid, "A resource can have at most %d tags.", MaxTags)
	}
	return nil
}

// CreateKnowledgeBase creates a knowledge base of type MESSAGE_TEMPLATES.
func (s *Service) CreateKnowledgeBase(ctx context.Context, in *CreateKnowledgeBaseInput) (*KnowledgeBaseOutput, error) {
	if in.KnowledgeBaseType != KnowledgeBaseTypeMessageTemplates {
		return nil, fault.New(fault.Invalid, "connectmail serves knowledge bases of type MESSAGE_TEMPLATES only; knowledgeBaseType %s is not supported.", in.KnowledgeBaseType)
	}
	for name, given := range map[string]bool{
		"sourceConfiguration": in.HasSourceConfiguration, "renderingConfiguration": in.HasRenderingConfiguration,
		"vectorIngestionConfiguration": in.HasVectorIngestionConfiguration,
	} {
		if given {
			return nil, fault.New(fault.Invalid, "%s does not apply to a knowledge base of type MESSAGE_TEMPLATES.", name)
		}
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	region := connect.CallerFrom(ctx).Region
	now := s.now()
	id := uuid.NewString()
	kb := &KnowledgeBase{
		ID: id, ARN: s.arn(region, resKnowledgeBase+"/"+id), Region: region, Name: in.Name,
		Description: in.Description, Type: in.KnowledgeBaseType, Status: "ACTIVE",
		CreatedAt: now, ContentModifiedAt: now, Tags: in.Tags, KMSKeyID: in.KMSKeyID,
	}
	out := &KnowledgeBaseOutput{KnowledgeBase: kbView(kb, true)}
	tok := in.ClientToken
	req := *in
	req.ClientToken = connect.ClientToken{}
	err := s.cfg.Stores.KnowledgeBases.CreateKnowledgeBase(ctx, kb, s.cfg.MaxKnowledgeBases, newIdem("qconnect:CreateKnowledgeBase:"+region, tok, &req, out))
	if r, ok := replayed(err); ok {
		return s.replayKnowledgeBase(ctx, r)
	}
	if err != nil {
		switch {
		case fault.Is(err, fault.Duplicate):
			return nil, fault.New(fault.Duplicate, "A knowledge base named %s already exists.", in.Name)
		case errors.Is(err, ErrLimit):
			return nil, fault.New(fault.Quota, "A region can have at most %d knowledge bases.", s.cfg.MaxKnowledgeBases)
		}
		return out, idemConflict(err, tok)
	}
	return out, nil
}

func kbView(kb *KnowledgeBase, full bool) *KnowledgeBaseData {
	d := &KnowledgeBaseData{
		KnowledgeBaseID: kb.ID, KnowledgeBaseARN: kb.ARN, Name: kb.Name, KnowledgeBaseType: kb.Type,
		Status: kb.Status, Description: kb.Description, Tags: kb.Tags, KMSKeyID: kb.KMSKeyID,
	}
	if full {
		d.LastContentModificationTime = kb.ContentModifiedAt
	}
	return d
}

// knowledgeBase resolves a knowledge base id or ARN in the caller's region.
func (s *Service) knowledgeBase(ctx context.Context, ref string) (*KnowledgeBase, error) {
	region := connect.CallerFrom(ctx).Region
	id := ref
	if strings.HasPrefix(ref, "arn:") {
		a, ok := parseARN(ref)
		if !ok || a.Type != resKnowledgeBase || len(a.IDs) != 1 || a.HasQualifier {
			return nil, fault.New(fault.Invalid, "%s is not a knowledge base ARN (arn:aws:wisdom:<region>:<account>:knowledge-base/<id>).", ref)
		}
		if a.Account != s.cfg.AccountID || a.Region != region {
			return nil, fault.NotFoundf(ResourceKnowledgeBase, "Knowledge base %s not found: it is not in account %s, region %s.", ref, s.cfg.AccountID, region)
		}
		id = a.IDs[0]
	} else if !isUUID(ref) {
		return nil, fault.New(fault.Invalid, "%s is not a knowledge base id or ARN.", ref)
	}
	kb, err := s.cfg.Stores.KnowledgeBases.GetKnowledgeBase(ctx, region, id)
	if fault.Is(err, fault.NotFound) {
		return nil, fault.NotFoundf(ResourceKnowledgeBase, "Knowledge base %s not found.", ref)
	}
	return kb, err
}

// GetKnowledgeBase describes a knowledge base.
func (s *Service) GetKnowledgeBase(ctx context.Context, ref string) (*KnowledgeBaseOutput, error) {
	kb, err := s.knowledgeBase(ctx, ref)
	if err != nil {
		return nil, err
	}
	return &KnowledgeBaseOutput{KnowledgeBase: kbView(kb, true)}, nil
}

func kbKey(kb *KnowledgeBase) string {
	return strconv.FormatInt(kb.CreatedAt.UnixMilli(), 36) + "/" + kb.ID
}

// ListKnowledgeBases pages the knowledge bases of the caller's region.
func (s *Service) ListKnowledgeBases(ctx context.Context, nextToken string, maxResults int) (*ListKnowledgeBasesOutput, error) {
	all, err := s.cfg.Stores.KnowledgeBases.ListKnowledgeBases(ctx, connect.CallerFrom(ctx).Region)
	if err != nil {
		return nil, err
	}
	sort.Slice(all, func(i, j int) bool { return kbKey(all[i]) < kbKey(all[j]) })
	list, next, err := page(all, kbKey, nextToken, maxResults)
	if err != nil {
		return nil, err
	}
	out := &ListKnowledgeBasesOutput{KnowledgeBaseSummaries: []KnowledgeBaseData{}, NextToken: next}
	for _, kb := range list {
		out.KnowledgeBaseSummaries = append(out.KnowledgeBaseSummaries, *kbView(kb, false))
	}
	return out, nil
}

// DeleteKnowledgeBase deletes a knowledge base and every template in it.
func (s *Service) DeleteKnowledgeBase(ctx context.Context, ref string) error {
	kb, err := s.knowledgeBase(ctx, ref)
	if err != nil {
		return err
	}
	err = s.cfg.Stores.KnowledgeBases.DeleteKnowledgeBase(ctx, kb.Region, kb.ID)
	if fault.Is(err, fault.NotFound) {
		return fault.NotFoundf(ResourceKnowledgeBase, "Knowledge base %s not found.", ref)
	}
	return err
}

// ---- tags ----

// taggable resolves a knowledge base or message template ARN (without qualifier).
func (s *Service) taggable(ctx context.Context, arn string) (*KnowledgeBase, *Template, error) {
	a, ok := parseARN(arn)
	if !ok || a.HasQualifier {
		return nil, nil, fault.New(fault.Invalid, "%s is not the ARN of a knowledge base or message template.", arn)
	}
	notFound := fault.NotFoundf("Resource", "Resource %s not found.", arn)
	if a.Account != s.cfg.AccountID || a.Region != connect.CallerFrom(ctx).Region {
		return nil, nil, notFound
	}
	switch {
	case a.Type == resKnowledgeBase && len(a.IDs) == 1:
		kb, err := s.cfg.Stores.KnowledgeBases.GetKnowledgeBase(ctx, a.Region, a.IDs[0])
		if fault.Is(err, fault.NotFound) {
			return nil, nil, notFound
		}
		return kb, nil, err
	case a.Type == resMessageTemplate && len(a.IDs) == 2:
		kb, err := s.cfg.Stores.KnowledgeBases.GetKnowledgeBase(ctx, a.Region, a.IDs[0])
		if err != nil {
			if fault.Is(err, fault.NotFound) {
				return nil, nil, notFound
			}
			return nil, nil, err
		}
		t, err := s.cfg.Stores.Templates.GetTemplate(ctx, kb.ID, a.IDs[1])
		if fault.Is(err, fault.NotFound) {
			return nil, nil, notFound
		}
		return kb, t, err
	}
	return nil, nil, fault.New(fault.Invalid, "%s is not the ARN of a knowledge base or message template.", arn)
}

// ListTagsForResource returns the tags of a knowledge base or message template (not nil).
func (s *Service) ListTagsForResource(ctx context.Context, arn string) (map[string]string, error) {
	kb, t, err := s.taggable(ctx, arn)
	if err != nil {
		return nil, err
	}
	tags := kb.Tags
	if t != nil {
		tags = t.Tags
	}
	if tags == nil {
		tags = map[string]string{}
	}
	return tags, nil
}

// TagResource adds or replaces tags of a knowledge base or message template.
func (s *Service) TagResource(ctx context.Context, arn string, tags map[string]string) error {
	return s.retag(ctx, arn, tags, nil)
}

// UntagResource removes tags of a knowledge base or message template.
func (s *Service) UntagResource(ctx context.Context, arn string, keys []string) error {
	return s.retag(ctx, arn, nil, keys)
}

// tooManyTags is TagResource's TooManyTagsException (a quota on the resource).
func tooManyTags(arn string) error {
	return &fault.Error{Kind: fault.Quota, Resource: arn, Message: fmt.Sprintf("A resource can have at most %d tags.", MaxTags)}
}

func (s *Service) retag(ctx context.Context, arn string, set map[string]string, remove []string) error {
	for attempt := 0; ; attempt++ {
		kb, t, err := s.taggable(ctx, arn)
		if err != nil {
			return err
		}
		if t == nil {
			err := s.cfg.Stores.KnowledgeBases.ModifyKnowledgeBaseTags(ctx, kb.Region, kb.ID, func(tags map[string]string) (map[string]string, error) {
				for k, v := range set {
					tags[k] = v
				}
				for _, k := range remove {
					delete(tags, k)
				}
				if len(tags) > MaxTags {
					return nil, tooManyTags(arn)
				}
				return tags, nil
			})
			return fault.Word(err, ErrKnowledgeBaseNotFound, "knowledge base %s not found", kb.ID)
		}
		tags := make(map[string]string, len(t.Tags)+len(set))
		for k, v := range t.Tags {
			tags[k] = v
		}
		for k, v := range set {
			tags[k] = v
		}
		for _, k := range remove {
			delete(tags, k)
		}
		if len(tags) > MaxTags {
			return tooManyTags(arn)
		}
		if err := checkTags(tags); err != nil {
			return err
		}
		t.Tags = tags
		err = s.cfg.Stores.Templates.SaveTemplate(ctx, t, nil)
		if errors.Is(err, ErrStale) && attempt < maxRetries {
			continue
		}
		return templateErr(err, t)
	}
}

// maxRetries bounds the optimistic retries of a template write.
const maxRetries = 8
