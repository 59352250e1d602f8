package template

import (
	"cmp"
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/connectmail/connectmail/fault"
)

// Search semantics (SearchMessageTemplates):
//
//   - The searched documents are the $LATEST version of every template and,
//     when a filter on "qualifier" asks for it, the active version
//     ("$ACTIVE_VERSION") of every template that has one. Without a qualifier
//     filter only $LATEST documents are searched, so each template appears once.
//   - queries (on name or description) match case-insensitively: CONTAINS
//     when a value is a substring, CONTAINS_AND_PREFIX also when a word
//     starts with it. A document matches when any query does; its score is
//     the sum of the priorities (HIGH 3, MEDIUM 2, LOW 1; MEDIUM when unset)
//     of the queries it matches. allowFuzziness is accepted and matching
//     stays exact.
//   - filters all have to match: EQUALS when the field equals a value,
//     PREFIX when it starts with one (case-sensitive); includeNoExistence
//     also accepts a document without the field. A filter without values
//     accepts documents that have the field.
//   - Results are ordered by orderOnField when given (ASC by default), else
//     by score, highest first; ties by name, then id.

// searchFields are the field names filters and orderOnField accept.
var searchFields = []string{"name", "description", "channel", "channelSubtype", "language", "qualifier",
	"createdTime", "lastModifiedTime", "lastModifiedBy", "groupingConfiguration.criteria", "groupingConfiguration.values"}

// queryFields are the field names queries accept.
var queryFields = []string{"name", "description"}

type searchDoc struct {
	t         *Template
	v         *Version
	qualifier string
	score     int
}

// fieldValues returns the values of a field of the document (none when absent).
func (d *searchDoc) fieldValues(field string) []string {
	one := func(s string) []string {
		if s == "" {
			return nil
		}
		return []string{s}
	}
	switch field {
	case "name":
		return one(d.t.Name)
	case "description":
		return one(d.t.Description)
	case "channel", "channelSubtype":
		return one(d.t.ChannelSubtype)
	case "language":
		return one(d.v.Language)
	case "qualifier":
		return one(d.qualifier)
	case "createdTime":
		return one(searchTime(d.t.CreatedAt))
	case "lastModifiedTime":
		return one(searchTime(d.v.ModifiedAt))
	case "lastModifiedBy":
		return one(d.v.ModifiedBy)
	case "groupingConfiguration.criteria":
		if d.t.Grouping != nil {
			return one(d.t.Grouping.Criteria)
		}
	case "groupingConfiguration.values":
		if d.t.Grouping != nil {
			return d.t.Grouping.Values
		}
	}
	return nil
}

// searchTime is a time as the createdTime and lastModifiedTime fields are
// compared: the ISO 8601 form with milliseconds that responses carry.
func searchTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func checkField(kind, name string, allowed []string) error {
	if !slices.Contains(allowed, name) {
		return fault.New(fault.Invalid, "%s field %q is not supported; use one of %s.", kind, name, strings.Join(allowed, ", "))
	}
	return nil
}

func priorityWeight(p string) int {
	switch p {
	case "HIGH":
		return 3
	case "LOW":
		return 1
	}
	return 2
}

func queryMatches(q SearchQuery, vals []string) bool {
	for _, field := range vals {
		f := strings.ToLower(field)
		for _, want := range q.Values {
			w := strings.ToLower(want)
			if strings.Contains(f, w) {
				return true
			}
			if q.Operator == "CONTAINS_AND_PREFIX" {
				for _, word := range strings.Fields(f) {
					if strings.HasPrefix(word, w) {
						return true
					}
				}
			}
		}
	}
	return false
}

func filterMatches(f SearchFilter, vals []string) bool {
	if len(vals) == 0 {
		return f.IncludeNoExistence
	}
	if len(f.Values) == 0 {
		return true
	}
	for _, v := range vals {
		for _, want := range f.Values {
			if f.Operator == "PREFIX" && strings.HasPrefix(v, want) || f.Operator != "PREFIX" && v == want {
				return true
			}
		}
	}
	return false
}

// SearchMessageTemplates searches the templates of a knowledge base.
func (s *Service) SearchMessageTemplates(ctx context.Context, in *SearchMessageTemplatesInput) (*SearchMessageTemplatesOutput, error) {
	kb, err := s.knowledgeBase(ctx, in.KnowledgeBaseID)
	if err != nil {
		return nil, err
	}
	ex := in.SearchExpression
	withActive := false
	for _, q := range ex.Queries {
		if err := checkField("Query", q.Name, queryFields); err != nil {
			return nil, err
		}
	}
	for _, f := range ex.Filters {
		if err := checkField("Filter", f.Name, searchFields); err != nil {
			return nil, err
		}
		if f.Name == "qualifier" {
			withActive = true
		}
	}
	if ex.OrderOnField != nil {
		if err := checkField("Order", ex.OrderOnField.Name, searchFields); err != nil {
			return nil, err
		}
	}
	offset := 0
	if in.NextToken != "" {
		tok, err := decodeToken(in.NextToken)
		if err != nil {
			return nil, err
		}
		if offset, err = strconv.Atoi(tok); err != nil || offset < 0 {
			return nil, fault.New(fault.Invalid, "The nextToken is not valid.")
		}
	}
	all, err := s.cfg.Stores.Templates.ListTemplates(ctx, kb.ID)
	if err != nil {
		return nil, err
	}
	var docs []*searchDoc
	for _, t := range all {
		docs = append(docs, &searchDoc{t: t, v: t.Latest, qualifier: QualifierLatest})
		if withActive && t.ActiveVersion > 0 {
			v, err := s.cfg.Stores.Templates.GetVersion(ctx, t.ID, t.ActiveVersion)
			if err != nil && !fault.Is(err, fault.NotFound) {
				return nil, err
			}
			if err == nil {
				docs = append(docs, &searchDoc{t: t, v: v, qualifier: QualifierActive})
			}
		}
	}
	var hits []*searchDoc
	for _, d := range docs {
		ok := true
		for _, f := range ex.Filters {
			if !filterMatches(f, d.fieldValues(f.Name)) {
				ok = false
				break
			}
		}
		if !withActive && d.qualifier != QualifierLatest {
			ok = false
		}
		if !ok {
			continue
		}
		if len(ex.Queries) > 0 {
			for _, q := range ex.Queries {
				if queryMatches(q, d.fieldValues(q.Name)) {
					d.score += priorityWeight(q.Priority)
				}
			}
			if d.score == 0 {
				continue
			}
		}
		hits = append(hits, d)
	}
	slices.SortStableFunc(hits, func(a, b *searchDoc) int {
		if o := ex.OrderOnField; o != nil {
			av, bv := strings.Join(a.fieldValues(o.Name), ","), strings.Join(b.fieldValues(o.Name), ",")
			c := strings.Compare(av, bv)
			if o.Order == "DESC" {
				c = -c
			}
			if c != 0 {
				return c
			}
		} else if c := cmp.Compare(b.score, a.score); c != 0 {
			return c
		}
		return cmp.Or(strings.Compare(a.t.Name, b.t.Name), strings.Compare(a.t.ID, b.t.ID), strings.Compare(a.qualifier, b.qualifier))
	})
	max := in.MaxResults
	if max <= 0 {
		max = 100
	}
	out := &SearchMessageTemplatesOutput{Results: []MessageTemplateData{}}
	if offset > len(hits) {
		offset = len(hits)
	}
	hits = hits[offset:]
	if len(hits) > max {
		hits = hits[:max]
		out.NextToken = encodeToken(strconv.Itoa(offset + max))
	}
	for _, d := range hits {
		v := s.view(kb, d.t, d.v, true)
		v.Content, v.DefaultAttributes, v.Attachments, v.AttributeTypes, v.MessageTemplateContentSha256 = nil, nil, nil, nil, ""
		out.Results = append(out.Results, *v)
	}
	return out, nil
}
