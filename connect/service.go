package connect

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/connectmail/connectmail/fault"
	"github.com/google/uuid"
)

// Caller describes who is calling and where; the API layer derives it from the SigV4 scope.
type Caller struct {
	Region      string
	AccessKeyID string
	// Endpoint is the base URL the caller reached the API at ("http://host:port"),
	// used for the URLs connectmail hands out (attached-file uploads and downloads).
	Endpoint string
}

type callerKey struct{}

// WithCaller returns a context carrying c.
func WithCaller(ctx context.Context, c Caller) context.Context {
	return context.WithValue(ctx, callerKey{}, c)
}

// CallerFrom returns the caller of ctx (region us-east-1 when unset).
func CallerFrom(ctx context.Context) Caller {
	c, _ := ctx.Value(callerKey{}).(Caller)
	if c.Region == "" {
		c.Region = "us-east-1"
	}
	return c
}

// Draft is a message to compose.
type Draft struct {
	From        Endpoint
	To          []Endpoint
	Cc          []Endpoint
	Subject     string
	Text        string
	HTML        string
	MessageID   string
	Date        time.Time
	InReplyTo   string
	References  string
	Headers     [][2]string
	Attachments []Attachment
}

// Attachment is a file sent with a message.
type Attachment struct {
	Filename    string
	ContentType string
	Data        []byte
}

// Composer turns a Draft into RFC 5322 bytes; it fails with an invalid-input
// error for header injection attempts.
type Composer interface {
	Compose(d *Draft) ([]byte, error)
}

// TemplateRequest asks for a message template rendered for a send.
type TemplateRequest struct {
	KnowledgeBaseID   string
	MessageTemplateID string
	Custom            map[string]string
	CustomerJSON      *string
	SystemName        string
	CustomerAddress   string
	SystemAddress     string
}

// RenderedTemplate is a message template rendered for a send.
type RenderedTemplate struct {
	Subject         string
	Text            string
	HTML            string
	Headers         [][2]string
	Attachments     []Attachment
	NotInterpolated []string
	// Ref names what was rendered, e.g. "<kb>/<template>:<version>".
	Ref string
}

// TemplateRenderer renders Q in Connect message templates for TEMPLATE sends.
type TemplateRenderer interface {
	RenderForSend(ctx context.Context, r *TemplateRequest) (*RenderedTemplate, error)
}

// Config configures a Service.
type Config struct {
	AccountID string
	// Stores persist the aggregates.
	Stores   Stores
	Composer Composer
	// Templates renders TEMPLATE messages; nil refuses them.
	Templates TemplateRenderer
	// Files presigns the upload and download URLs of attached files; nil
	// refuses StartAttachedFileUpload and gives no download URLs.
	Files FileURLs
	// Wake is called after a delivery job is committed to the store for
	// the worker to claim.
	Wake func()
	// Handoff, when set, receives committed delivery jobs in memory instead.
	Handoff Handoff
	// Publish is called with events after they are committed.
	Publish func([]Event)
	// Now returns the current time (time.Now when nil).
	Now func() time.Time
	// CacheFor is how long instances and email addresses read by sends are
	// kept in memory (default 1s; negative: not at all). Changes made
	// through this Service are seen at once; only another process's
	// changes (PostgreSQL, several nodes) can take this long to be seen.
	CacheFor time.Duration
}

// Service implements the Connect email operations.
type Service struct {
	cfg Config
}

// NewService returns a Service.
func NewService(cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Wake == nil {
		cfg.Wake = func() {}
	}
	if cfg.Publish == nil {
		cfg.Publish = func([]Event) {}
	}
	if cfg.CacheFor == 0 {
		cfg.CacheFor = time.Second
	}
	if cfg.CacheFor > 0 {
		cfg.Stores = withCache(cfg.Stores, cfg.CacheFor, cfg.Now)
	}
	return &Service{cfg: cfg}
}

func (s *Service) now() time.Time { return s.cfg.Now().UTC().Truncate(time.Millisecond) }

func (s *Service) arn(ctx context.Context, resource string) string {
	return "arn:aws:connect:" + CallerFrom(ctx).Region + ":" + s.cfg.AccountID + ":" + resource
}

// requestHash fingerprints a request for idempotency, ignoring its token.
func requestHash(op string, v any) string {
	b, _ := json.Marshal(v)
	h := sha256.Sum256(append([]byte(op+"\x00"), b...))
	return hex.EncodeToString(h[:])
}

// replay decodes a stored response into out when err is *Replayed.
func replay(err error, token string, out any) (bool, error) {
	var r *Replayed
	if !errors.As(err, &r) {
		return false, tokenErr(err, token)
	}
	if uerr := json.Unmarshal(r.Response, out); uerr != nil {
		return true, fault.Wrap(uerr, "stored idempotent response is unreadable")
	}
	return true, nil
}

func newIdem(op, token string, req any, resp any) *Idem {
	if token == "" {
		return nil
	}
	b, _ := json.Marshal(resp)
	return &Idem{Op: op, Token: token, Hash: requestHash(op, req), Response: b}
}

// clientIdem is the idempotency record of an API call: in is its input
// with the token cleared, used when tok does not carry the request.
func clientIdem(op string, tok ClientToken, in any, resp any) *Idem {
	if tok.Token == "" {
		return nil
	}
	req := tok.Request
	if req == nil {
		req, _ = json.Marshal(in)
	}
	h := sha256.Sum256(append([]byte(op+"\x00"), req...))
	b, _ := json.Marshal(resp)
	return &Idem{Op: op, Token: tok.Token, Hash: hex.EncodeToString(h[:]), Response: b}
}

// ---- Instances ----

// CreateInstance creates an instance.
func (s *Service) CreateInstance(ctx context.Context, in *CreateInstanceInput) (*Created, error) {
	if in.IdentityManagementType == "EXISTING_DIRECTORY" && in.DirectoryID == "" {
		return nil, fault.New(fault.Invalid, "DirectoryId is required when IdentityManagementType is EXISTING_DIRECTORY")
	}
	if in.IdentityManagementType != "EXISTING_DIRECTORY" && in.DirectoryID != "" {
		return nil, fault.New(fault.Invalid, "DirectoryId can only be given when IdentityManagementType is EXISTING_DIRECTORY")
	}
	id := uuid.NewString()
	inst := &Instance{
		ID: id, ARN: s.arn(ctx, "instance/"+id), Alias: in.InstanceAlias,
		IdentityManagementType: in.IdentityManagementType, DirectoryID: in.DirectoryID,
		InboundCallsEnabled: in.InboundCallsEnabled, OutboundCallsEnabled: in.OutboundCallsEnabled,
		Status: "ACTIVE", CreatedAt: s.now(), Tags: in.Tags,
	}
	out := &Created{ID: inst.ID, ARN: inst.ARN}
	tok := in.ClientToken
	in.ClientToken = ClientToken{}
	err := s.cfg.Stores.Instances.CreateInstance(ctx, inst, clientIdem("CreateInstance", tok, in, out))
	err = fault.Word(err, ErrAliasInUse, "Instance alias %s is already in use", inst.Alias)
	if ok, err := replay(err, tok.Token, out); ok || err != nil {
		return out, err
	}
	return out, nil
}

// instance loads an instance by id or ARN, as Connect accepts both.
func (s *Service) instance(ctx context.Context, id string) (*Instance, error) {
	if i := strings.LastIndex(id, "instance/"); strings.HasPrefix(id, "arn:") && i >= 0 {
		id = id[i+len("instance/"):]
	}
	in, err := s.cfg.Stores.Instances.GetInstance(ctx, id)
	if fault.Is(err, fault.NotFound) {
		return nil, fault.NotFoundf("Instance", "Instance not found: %s", id)
	}
	return in, err
}

// DescribeInstance returns an instance, by id or ARN.
func (s *Service) DescribeInstance(ctx context.Context, id string) (*Instance, error) {
	return s.instance(ctx, id)
}

// ListInstances pages instances; the next token is "" on the last page.
func (s *Service) ListInstances(ctx context.Context, nextToken string, maxResults int) ([]*Instance, string, error) {
	after, err := decodeToken(nextToken)
	if err != nil {
		return nil, "", err
	}
	if maxResults <= 0 {
		maxResults = 10
	}
	list, err := s.cfg.Stores.Instances.ListInstances(ctx, after, maxResults+1)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(list) > maxResults {
		list = list[:maxResults]
		next = encodeToken(list[len(list)-1].ID)
	}
	return list, next, nil
}

// DeleteInstance deletes an instance and its resources.
func (s *Service) DeleteInstance(ctx context.Context, id string) error {
	in, err := s.instance(ctx, id)
	if err != nil {
		return err
	}
	if err := s.cfg.Stores.Instances.DeleteInstance(ctx, in.ID); err != nil {
		return instanceErr(err, in.ID)
	}
	if s.cfg.Handoff != nil {
		s.cfg.Handoff.RevokeInstance(in.ID)
	}
	return nil
}

func encodeToken(s string) string { return base64.RawURLEncoding.EncodeToString([]byte("v1:" + s)) }

func decodeToken(tok string) (string, error) {
	if tok == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || !strings.HasPrefix(string(b), "v1:") {
		return "", fault.New(fault.Invalid, "The NextToken is not valid.")
	}
	return string(b[3:]), nil
}

// ---- Email addresses ----

// CreateEmailAddress creates an email address in an instance.
func (s *Service) CreateEmailAddress(ctx context.Context, in *CreateEmailAddressInput) (*Created, error) {
	inst, err := s.instance(ctx, in.InstanceID)
	if err != nil {
		return nil, err
	}
	if err := noCRLF("DisplayName", in.DisplayName); err != nil {
		return nil, err
	}
	now := s.now()
	id := uuid.NewString()
	e := &EmailAddress{
		ID: id, ARN: inst.ARN + "/email-address/" + id, InstanceID: inst.ID,
		Address: in.EmailAddress, DisplayName: in.DisplayName, Description: in.Description,
		CreatedAt: now, ModifiedAt: now, Tags: in.Tags,
	}
	if err := s.cfg.Stores.EmailAddresses.CreateEmailAddress(ctx, e); err != nil {
		if fault.Is(err, fault.Duplicate) {
			return nil, fault.New(fault.Duplicate, "Email address %s already exists", in.EmailAddress)
		}
		return nil, err
	}
	return &Created{ID: e.ID, ARN: e.ARN}, nil
}

func (s *Service) emailAddress(ctx context.Context, instanceID, id string) (*Instance, *EmailAddress, error) {
	inst, err := s.instance(ctx, instanceID)
	if err != nil {
		return nil, nil, err
	}
	if i := strings.LastIndex(id, "email-address/"); strings.HasPrefix(id, "arn:") && i >= 0 {
		id = id[i+len("email-address/"):]
	}
	e, err := s.cfg.Stores.EmailAddresses.GetEmailAddress(ctx, inst.ID, id)
	if fault.Is(err, fault.NotFound) {
		return nil, nil, fault.NotFoundf("EmailAddress", "Email address not found: %s", id)
	}
	return inst, e, err
}

// aliases returns the ids of e's aliases (not nil).
func (s *Service) aliases(ctx context.Context, e *EmailAddress) ([]string, error) {
	all, err := s.cfg.Stores.EmailAddresses.ListEmailAddresses(ctx, e.InstanceID)
	if err != nil {
		return nil, err
	}
	out := []string{}
	for _, a := range all {
		if a.AliasOf == e.ID {
			out = append(out, a.ID)
		}
	}
	return out, nil
}

// DescribeEmailAddress returns an email address, by id or ARN, with its aliases.
func (s *Service) DescribeEmailAddress(ctx context.Context, instanceID, id string) (*AddressWithAliases, error) {
	_, e, err := s.emailAddress(ctx, instanceID, id)
	if err != nil {
		return nil, err
	}
	al, err := s.aliases(ctx, e)
	if err != nil {
		return nil, err
	}
	return &AddressWithAliases{Address: e, AliasIDs: al}, nil
}

// UpdateEmailAddressMetadata updates the description and display name.
func (s *Service) UpdateEmailAddressMetadata(ctx context.Context, in *UpdateEmailAddressMetadataInput) (*Created, error) {
	_, e, err := s.emailAddress(ctx, in.InstanceID, in.EmailAddressID)
	if err != nil {
		return nil, err
	}
	if in.DisplayName != nil {
		if err := noCRLF("DisplayName", *in.DisplayName); err != nil {
			return nil, err
		}
		e.DisplayName = *in.DisplayName
	}
	if in.Description != nil {
		e.Description = *in.Description
	}
	e.ModifiedAt = s.now()
	if err := s.cfg.Stores.EmailAddresses.UpdateEmailAddress(ctx, e); err != nil {
		return nil, emailErr(err, e.ID)
	}
	return &Created{ID: e.ID, ARN: e.ARN}, nil
}

// DeleteEmailAddress deletes an email address; alias links to it are removed.
func (s *Service) DeleteEmailAddress(ctx context.Context, instanceID, id string) error {
	inst, e, err := s.emailAddress(ctx, instanceID, id)
	if err != nil {
		return err
	}
	return emailErr(s.cfg.Stores.EmailAddresses.DeleteEmailAddress(ctx, inst.ID, e.ID), e.ID)
}

// SearchEmailAddresses searches an instance's email addresses.
func (s *Service) SearchEmailAddresses(ctx context.Context, in *SearchEmailAddressesInput) (*EmailAddressPage, error) {
	inst, err := s.instance(ctx, in.InstanceID)
	if err != nil {
		return nil, err
	}
	after, err := decodeToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	all, err := s.cfg.Stores.EmailAddresses.ListEmailAddresses(ctx, inst.ID)
	if err != nil {
		return nil, err
	}
	var matched []*EmailAddress
	for _, e := range all {
		ok, err := matchCriteria(in.SearchCriteria, e)
		if err != nil {
			return nil, err
		}
		if ok && !matchTags(in.TagFilter, e.Tags) {
			ok = false
		}
		if ok {
			matched = append(matched, e)
		}
	}
	limit := in.MaxResults
	if limit <= 0 {
		limit = 100
	}
	out := &EmailAddressPage{Addresses: []AddressWithAliases{}, Total: int64(len(matched))}
	start := 0
	if after != "" {
		start = len(matched)
		for i, e := range matched {
			if e.ID == after {
				start = i + 1
				break
			}
		}
	}
	for i := start; i < len(matched); i++ {
		if len(out.Addresses) == limit {
			out.NextToken = encodeToken(matched[i-1].ID)
			break
		}
		e := matched[i]
		al, err := s.aliases(ctx, e)
		if err != nil {
			return nil, err
		}
		out.Addresses = append(out.Addresses, AddressWithAliases{Address: e, AliasIDs: al})
	}
	return out, nil
}

func matchCriteria(c *EmailAddressSearchCriteria, e *EmailAddress) (bool, error) {
	if c == nil {
		return true, nil
	}
	if c.StringCondition != nil {
		var field string
		switch strings.ToLower(c.StringCondition.FieldName) {
		case "emailaddress", "email_address":
			field = e.Address
		case "displayname", "display_name":
			field = e.DisplayName
		case "description":
			field = e.Description
		case "emailaddressid", "id":
			field = e.ID
		default:
			return false, fault.New(fault.Invalid, "Unsupported search field: %s", c.StringCondition.FieldName)
		}
		f, v := strings.ToLower(field), strings.ToLower(c.StringCondition.Value)
		var ok bool
		switch c.StringCondition.ComparisonType {
		case "STARTS_WITH":
			ok = strings.HasPrefix(f, v)
		case "CONTAINS":
			ok = strings.Contains(f, v)
		default:
			ok = f == v
		}
		if !ok {
			return false, nil
		}
	}
	for i := range c.AndConditions {
		ok, err := matchCriteria(&c.AndConditions[i], e)
		if err != nil || !ok {
			return false, err
		}
	}
	if len(c.OrConditions) > 0 {
		for i := range c.OrConditions {
			ok, err := matchCriteria(&c.OrConditions[i], e)
			if err != nil {
				return false, err
			}
			if ok {
				return true, nil
			}
		}
		return false, nil
	}
	return true, nil
}

func matchTags(f *TagFilter, tags map[string]string) bool {
	if f == nil {
		return true
	}
	has := func(c TagCondition) bool {
		v, ok := tags[c.TagKey]
		return ok && (c.TagValue == "" || v == c.TagValue)
	}
	if f.TagCondition != nil && !has(*f.TagCondition) {
		return false
	}
	for _, c := range f.AndConditions {
		if !has(c) {
			return false
		}
	}
	if len(f.OrConditions) > 0 {
		for _, group := range f.OrConditions {
			all := true
			for _, c := range group {
				all = all && has(c)
			}
			if all {
				return true
			}
		}
		return false
	}
	return true
}

func noCRLF(field, v string) error {
	if strings.ContainsAny(v, "\r\n\x00") {
		return fault.New(fault.Invalid, "%s must not contain line breaks", field)
	}
	return nil
}

// newContactID returns a time-ordered UUID (version 7) for a contact.
func newContactID() string {
	id, err := uuid.NewV7()
	if err != nil {
		return uuid.NewString()
	}
	return id.String()
}
