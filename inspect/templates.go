package inspect

// Template endpoints: knowledge bases, message templates with their versions,
// and a render preview that renders exactly as RenderMessageTemplate does
// (through template.Service). They are listed in the package comment.

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/connectmail/connectmail/connect"
	"github.com/connectmail/connectmail/fault"
	"github.com/connectmail/connectmail/render"
	"github.com/connectmail/connectmail/storedoc"
	"github.com/connectmail/connectmail/template"
)

// knownRegions are the regions searched for knowledge bases when a request
// names none (with the regions of the stored instances): knowledge bases are
// regional and the template store lists one region at a time.
var knownRegions = [...]string{
	"us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "ca-west-1", "sa-east-1", "mx-central-1",
	"eu-west-1", "eu-west-2", "eu-west-3", "eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2",
	"af-south-1", "il-central-1", "me-south-1", "me-central-1", "ap-east-1", "ap-east-2", "ap-south-1", "ap-south-2",
	"ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5", "ap-southeast-7",
	"ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "us-gov-west-1", "us-gov-east-1", "cn-north-1", "cn-northwest-1",
}

// KnowledgeBaseView is a knowledge base as listed by the inspection API.
type KnowledgeBaseView struct {
	ID                string    `json:"id"`
	ARN               string    `json:"arn"`
	Region            string    `json:"region"`
	Name              string    `json:"name"`
	Description       string    `json:"description,omitempty"`
	Type              string    `json:"type"`
	Status            string    `json:"status,omitempty"`
	CreatedAt         time.Time `json:"createdAt"`
	ContentModifiedAt time.Time `json:"contentModifiedAt"`
}

// TemplateView is a message template as listed by the inspection API.
type TemplateView struct {
	ID              string            `json:"id"`
	KnowledgeBaseID string            `json:"knowledgeBaseId"`
	Name            string            `json:"name"`
	Description     string            `json:"description,omitempty"`
	ChannelSubtype  string            `json:"channelSubtype"`
	Language        string            `json:"language,omitempty"`
	ActiveVersion   int64             `json:"activeVersion,omitempty"`
	LastVersion     int64             `json:"lastVersion,omitempty"`
	CreatedAt       time.Time         `json:"createdAt"`
	ModifiedAt      time.Time         `json:"modifiedAt"`
	Tags            map[string]string `json:"tags,omitempty"`
}

// VersionView is one version of a template; number 0 is $LATEST.
type VersionView struct {
	Number            int64                 `json:"number"`
	Active            bool                  `json:"active,omitempty"`
	Language          string                `json:"language,omitempty"`
	SHA256            string                `json:"sha256"`
	ModifiedAt        time.Time             `json:"modifiedAt"`
	ModifiedBy        string                `json:"modifiedBy,omitempty"`
	Content           json.RawMessage       `json:"content,omitempty"`
	DefaultAttributes *render.Attributes    `json:"defaultAttributes,omitempty"`
	Attachments       []template.Attachment `json:"attachments,omitempty"`
	// Placeholders lists the placeholder paths the version uses.
	Placeholders []string `json:"placeholders"`
	// SampleAttributes has a value for every placeholder: the default
	// attribute when there is one, else the placeholder's field name in
	// angle brackets. It is a starting point for a render preview.
	SampleAttributes *render.Attributes `json:"sampleAttributes"`
}

// TemplateDetail is a template with $LATEST and the summaries of its numbered versions.
type TemplateDetail struct {
	TemplateView
	Region   string        `json:"region"`
	Latest   VersionView   `json:"latest"`
	Versions []VersionView `json:"versions"`
}

// RenderView is a render preview.
type RenderView struct {
	Version                   int64    `json:"version"`
	Subject                   string   `json:"subject,omitempty"`
	Text                      string   `json:"text,omitempty"`
	HTML                      string   `json:"html,omitempty"`
	Headers                   []Header `json:"headers,omitempty"`
	AttributesNotInterpolated []string `json:"attributesNotInterpolated"`
}

// Header is an email header of a rendered template.
type Header struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// templateStore returns the template stores of h.Store, which the template
// endpoints read (and render with).
func (h *Handler) templateStore(w http.ResponseWriter) (template.Stores, bool) {
	ts, ok := template.StoresOf(h.Store)
	if !ok {
		writeJSON(w, http.StatusNotImplemented, map[string]string{"error": "this store holds no message templates"})
	}
	return ts, ok
}

// serveTemplates routes the template endpoints and reports whether the path was one of them.
func (h *Handler) serveTemplates(w http.ResponseWriter, r *http.Request, parts []string) bool {
	if len(parts) == 0 || parts[0] != "knowledge-bases" && parts[0] != "templates" {
		return false
	}
	ts, ok := h.templateStore(w)
	if !ok {
		return true
	}
	switch {
	case len(parts) == 1 && parts[0] == "knowledge-bases":
		h.knowledgeBases(w, r, ts)
	case len(parts) == 1:
		h.templates(w, r, ts)
	case len(parts) == 3 && parts[0] == "templates":
		h.templateDetail(w, r, ts, parts[1], parts[2])
	case len(parts) == 5 && parts[0] == "templates" && parts[3] == "versions":
		h.templateVersion(w, r, ts, parts[1], parts[2], parts[4])
	case len(parts) == 4 && parts[0] == "templates" && parts[3] == "render":
		h.renderTemplate(w, r, ts, parts[1], parts[2], false)
	case len(parts) == 5 && parts[0] == "templates" && parts[3] == "render" && parts[4] == "html":
		h.renderTemplate(w, r, ts, parts[1], parts[2], true)
	default:
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "no such endpoint"})
	}
	return true
}

// regions lists the regions to search: the one asked for, else the known
// ones and those of the stored instances.
func (h *Handler) regions(ctx context.Context, asked string) []string {
	if asked != "" {
		return []string{asked}
	}
	out := slices.Clone(knownRegions[:])
	if rs, ok := h.Store.(ResourceStore); ok {
		after := ""
		for range 100 {
			list, err := rs.ListInstances(ctx, after, 500)
			if err != nil || len(list) == 0 {
				break
			}
			for _, in := range list {
				if p := strings.Split(in.ARN, ":"); len(p) > 3 && p[3] != "" && !slices.Contains(out, p[3]) {
					out = append(out, p[3])
				}
			}
			after = list[len(list)-1].ID
		}
	}
	return out
}

// findKB finds a knowledge base by id in the given region or, with none, in any.
func (h *Handler) findKB(ctx context.Context, ts template.Stores, id, region string) (*template.KnowledgeBase, error) {
	for _, rg := range h.regions(ctx, region) {
		kb, err := ts.KnowledgeBases.GetKnowledgeBase(ctx, rg, id)
		if err == nil {
			return kb, nil
		}
		if !fault.Is(err, fault.NotFound) {
			return nil, err
		}
	}
	return nil, fault.NotFoundf(template.ResourceKnowledgeBase, "no knowledge base %s", id)
}

func kbView(kb *template.KnowledgeBase) KnowledgeBaseView {
	return KnowledgeBaseView{
		ID: kb.ID, ARN: kb.ARN, Region: kb.Region, Name: kb.Name, Description: kb.Description, Type: kb.Type,
		Status: kb.Status, CreatedAt: kb.CreatedAt, ContentModifiedAt: kb.ContentModifiedAt,
	}
}

// knowledgeBases: GET /api/v1/knowledge-bases[?region=].
func (h *Handler) knowledgeBases(w http.ResponseWriter, r *http.Request, ts template.Stores) {
	out := []KnowledgeBaseView{}
	for _, rg := range h.regions(r.Context(), r.URL.Query().Get("region")) {
		list, err := ts.KnowledgeBases.ListKnowledgeBases(r.Context(), rg)
		if err != nil {
			writeErr(w, err)
			return
		}
		for _, kb := range list {
			out = append(out, kbView(kb))
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"knowledgeBases": out})
}

func templateView(t *template.Template) TemplateView {
	v := TemplateView{
		ID: t.ID, KnowledgeBaseID: t.KnowledgeBaseID, Name: t.Name, Description: t.Description, ChannelSubtype: t.ChannelSubtype,
		ActiveVersion: t.ActiveVersion, LastVersion: t.LastVersion, CreatedAt: t.CreatedAt, Tags: t.Tags,
	}
	if t.Latest != nil {
		v.Language, v.ModifiedAt = t.Latest.Language, t.Latest.ModifiedAt
	}
	return v
}

// templates: GET /api/v1/templates?knowledgeBaseId=.
func (h *Handler) templates(w http.ResponseWriter, r *http.Request, ts template.Stores) {
	kbID := r.URL.Query().Get("knowledgeBaseId")
	if kbID == "" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "knowledgeBaseId is required"})
		return
	}
	if _, err := h.findKB(r.Context(), ts, kbID, r.URL.Query().Get("region")); err != nil {
		writeErr(w, err)
		return
	}
	list, err := ts.Templates.ListTemplates(r.Context(), kbID)
	if err != nil {
		writeErr(w, err)
		return
	}
	out := make([]TemplateView, 0, len(list))
	for _, t := range list {
		out = append(out, templateView(t))
	}
	writeJSON(w, http.StatusOK, map[string]any{"templates": out})
}

// contentTexts lists every text of a content that placeholders can appear in.
func contentTexts(c *template.Content) []string {
	if c == nil {
		return nil
	}
	var out []string
	if e := c.Email; e != nil {
		out = append(out, e.Subject)
		for _, hd := range e.Headers {
			out = append(out, hd.Value)
		}
		if e.Body != nil && e.Body.PlainText != nil {
			out = append(out, e.Body.PlainText.Content)
		}
		if e.Body != nil && e.Body.HTML != nil {
			out = append(out, e.Body.HTML.Content)
		}
	}
	if s := c.SMS; s != nil && s.Body != nil && s.Body.PlainText != nil {
		out = append(out, s.Body.PlainText.Content)
	}
	return out
}

func versionView(t *template.Template, v *template.Version, full bool) VersionView {
	vv := VersionView{
		Number: v.Number, Active: v.Number > 0 && v.Number == t.ActiveVersion, Language: v.Language, SHA256: v.SHA256,
		ModifiedAt: v.ModifiedAt, ModifiedBy: v.ModifiedBy, Placeholders: []string{},
	}
	var found []render.Placeholder
	seen := map[string]bool{}
	for _, s := range contentTexts(v.Content) {
		for _, p := range render.Placeholders(s) {
			if !seen[p.Path] {
				seen[p.Path] = true
				found = append(found, p)
				vv.Placeholders = append(vv.Placeholders, p.Path)
			}
		}
	}
	vv.SampleAttributes = sampleAttributes(found, v.DefaultAttributes)
	if full {
		vv.Content, vv.DefaultAttributes, vv.Attachments = storedoc.TemplateContent(v.Content), v.DefaultAttributes, v.Attachments
	}
	return vv
}

// sampleAttributes gives every placeholder a value: its default, else its
// field name in angle brackets.
func sampleAttributes(ps []render.Placeholder, defaults *render.Attributes) *render.Attributes {
	a := &render.Attributes{}
	put := func(m *map[string]string, k, v string) {
		if *m == nil {
			*m = map[string]string{}
		}
		(*m)[k] = v
	}
	for _, p := range ps {
		sample := "<" + p.Field + ">"
		switch p.Category {
		case render.CategoryCustom:
			put(&a.Custom, p.Field, sample)
		case render.CategoryAgent:
			switch p.Field {
			case "FirstName":
				a.Agent.FirstName = sample
			case "LastName":
				a.Agent.LastName = sample
			}
		case render.CategorySystem:
			switch p.Field {
			case "Name":
				a.System.Name = sample
			case "CustomerEndpointAddress":
				a.System.CustomerEndpoint.Address = "customer@example.com"
			case "SystemEmailAddress":
				a.System.SystemEndpoint.Address = "support@example.com"
			}
		case render.CategoryCustomerProfile:
			if key, ok := strings.CutPrefix(p.Field, "Attributes."); ok {
				put(&a.Customer.Custom, key, "<"+key+">")
			} else if key, ok := render.CustomerFieldKey(p.Field); ok {
				put(&a.Customer.Fields, key, sample)
			}
		}
	}
	return render.Merge(defaults, a)
}

func (h *Handler) loadTemplate(w http.ResponseWriter, r *http.Request, ts template.Stores, kbID, id string) (*template.KnowledgeBase, *template.Template, bool) {
	kb, err := h.findKB(r.Context(), ts, kbID, r.URL.Query().Get("region"))
	if err != nil {
		writeErr(w, err)
		return nil, nil, false
	}
	t, err := ts.Templates.GetTemplate(r.Context(), kbID, id)
	if err != nil {
		writeErr(w, err)
		return nil, nil, false
	}
	return kb, t, true
}

// templateDetail: GET /api/v1/templates/{kbId}/{templateId}.
func (h *Handler) templateDetail(w http.ResponseWriter, r *http.Request, ts template.Stores, kbID, id string) {
	kb, t, ok := h.loadTemplate(w, r, ts, kbID, id)
	if !ok {
		return
	}
	vs, err := ts.Templates.ListVersions(r.Context(), t.ID)
	if err != nil {
		writeErr(w, err)
		return
	}
	d := TemplateDetail{TemplateView: templateView(t), Region: kb.Region, Versions: make([]VersionView, 0, len(vs))}
	if t.Latest != nil {
		d.Latest = versionView(t, t.Latest, true)
	}
	for i := len(vs) - 1; i >= 0; i-- {
		d.Versions = append(d.Versions, versionView(t, vs[i], false))
	}
	writeJSON(w, http.StatusOK, d)
}

// templateVersion: GET /api/v1/templates/{kbId}/{templateId}/versions/{n}.
func (h *Handler) templateVersion(w http.ResponseWriter, r *http.Request, ts template.Stores, kbID, id, n string) {
	num, err := strconv.ParseInt(n, 10, 64)
	if err != nil || num < 0 {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "a version is a number (0 is $LATEST)"})
		return
	}
	_, t, ok := h.loadTemplate(w, r, ts, kbID, id)
	if !ok {
		return
	}
	v, err := ts.Templates.GetVersion(r.Context(), t.ID, num)
	if err != nil {
		writeErr(w, err)
		return
	}
	writeJSON(w, http.StatusOK, versionView(t, v, true))
}

// renderTemplate: GET /api/v1/templates/{kbId}/{templateId}/render?version=&attributes=
// renders with template.Service (the same code as RenderMessageTemplate);
// attributes is a JSON MessageTemplateAttributes object, version a number,
// $LATEST (the default) or $ACTIVE_VERSION. With asHTML the rendered HTML
// body is served as an inert document under HTMLPolicy.
func (h *Handler) renderTemplate(w http.ResponseWriter, r *http.Request, ts template.Stores, kbID, id string, asHTML bool) {
	kb, t, ok := h.loadTemplate(w, r, ts, kbID, id)
	if !ok {
		return
	}
	q := r.URL.Query()
	in := &template.RenderMessageTemplateInput{KnowledgeBaseID: kb.ID, MessageTemplateID: t.ID}
	switch v := q.Get("version"); v {
	case "", "0", template.QualifierLatest:
		in.MessageTemplateID += ":" + template.QualifierLatest
	default:
		in.MessageTemplateID += ":" + v
	}
	if a := q.Get("attributes"); strings.TrimSpace(a) != "" {
		dec := json.NewDecoder(strings.NewReader(a))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&in.Attributes); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "attributes: " + err.Error()})
			return
		}
	}
	ctx := connect.WithCaller(r.Context(), connect.Caller{Region: kb.Region})
	out, err := template.NewService(template.Config{Stores: ts}).RenderMessageTemplate(ctx, in)
	if err != nil {
		if fault.Is(err, fault.Invalid) {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
		writeErr(w, err)
		return
	}
	rv := RenderView{AttributesNotInterpolated: out.AttributesNotInterpolated}
	if rv.AttributesNotInterpolated == nil {
		rv.AttributesNotInterpolated = []string{}
	}
	if n, err := strconv.ParseInt(q.Get("version"), 10, 64); err == nil {
		rv.Version = n
	}
	if c := out.Content; c != nil && c.Email != nil {
		rv.Subject = c.Email.Subject
		for _, hd := range c.Email.Headers {
			rv.Headers = append(rv.Headers, Header(hd))
		}
		if b := c.Email.Body; b != nil {
			if b.PlainText != nil {
				rv.Text = b.PlainText.Content
			}
			if b.HTML != nil {
				rv.HTML = b.HTML.Content
			}
		}
	} else if c != nil && c.SMS != nil && c.SMS.Body != nil && c.SMS.Body.PlainText != nil {
		rv.Text = c.SMS.Body.PlainText.Content
	}
	if !asHTML {
		writeJSON(w, http.StatusOK, rv)
		return
	}
	doc := rv.HTML
	if doc == "" {
		doc = `<pre style="white-space:pre-wrap;font:13px/1.45 ui-monospace,monospace;margin:0">` + html.EscapeString(rv.Text) + `</pre>`
	}
	writeInertHTML(w, doc, q.Get("remote") == "1")
}
