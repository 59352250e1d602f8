package template

import (
	"strconv"
	"strings"

	"github.com/connectmail/connectmail/fault"
)

// ARN resource types of the wisdom namespace used here.
const (
	resKnowledgeBase   = "knowledge-base"
	resMessageTemplate = "message-template"
)

// wisdomARN is a parsed arn:<partition>:wisdom:<region>:<account>:<type>/<id>[/<id>...][:<qualifier>].
type wisdomARN struct {
	Region, Account, Type string
	IDs                   []string
	Qualifier             string
	HasQualifier          bool
}

// parseARN parses a wisdom ARN; ok is false when s is not one.
func parseARN(s string) (a wisdomARN, ok bool) {
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "wisdom" {
		return a, false
	}
	a.Region, a.Account = parts[3], parts[4]
	res := parts[5]
	slash := strings.IndexByte(res, '/')
	if slash < 0 {
		return a, false
	}
	a.Type = res[:slash]
	ids := res[slash+1:]
	if i := strings.IndexByte(ids, ':'); i >= 0 {
		a.Qualifier, a.HasQualifier = ids[i+1:], true
		ids = ids[:i]
	}
	a.IDs = strings.Split(ids, "/")
	for _, id := range a.IDs {
		if !isUUID(id) {
			return a, false
		}
	}
	return a, true
}

// isUUID reports whether s is a lower-case UUID, the only form qconnect ids take.
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
				return false
			}
		}
	}
	return true
}

// qualifier is a parsed message template qualifier.
type qualifier struct {
	// Given is false when the identifier had none.
	Given  bool
	Latest bool
	Active bool
	// Number is a version number (>= 1) when neither Latest nor Active.
	Number int64
	raw    string
}

// String spells the qualifier as the API does ("" when none was given).
func (q qualifier) String() string { return q.raw }

func parseQualifier(s string) (qualifier, error) {
	q := qualifier{Given: true, raw: s}
	switch s {
	case QualifierLatest:
		q.Latest = true
		return q, nil
	case QualifierActive:
		q.Active = true
		return q, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 1 || strings.HasPrefix(s, "0") {
		return q, fault.New(fault.Invalid, "The qualifier %q is not valid: use $LATEST, $ACTIVE_VERSION or a version number.", s)
	}
	q.Number = n
	return q, nil
}

// templateRef is a parsed message template identifier.
type templateRef struct {
	ID string
	Q  qualifier
	// KnowledgeBaseID is the knowledge base named by an ARN identifier ("" for an id).
	KnowledgeBaseID string
	// Region and Account are those of an ARN identifier.
	Region, Account string
}

// parseTemplateRef parses "<uuid>[:<qualifier>]" or a message-template ARN
// with an optional qualifier.
func parseTemplateRef(s string) (templateRef, error) {
	var r templateRef
	if strings.HasPrefix(s, "arn:") {
		a, ok := parseARN(s)
		if !ok || a.Type != resMessageTemplate || len(a.IDs) != 2 {
			return r, fault.New(fault.Invalid, "%s is not a message template ARN (arn:aws:wisdom:<region>:<account>:message-template/<knowledge-base-id>/<message-template-id>).", s)
		}
		r.KnowledgeBaseID, r.ID, r.Region, r.Account = a.IDs[0], a.IDs[1], a.Region, a.Account
		if a.HasQualifier {
			q, err := parseQualifier(a.Qualifier)
			if err != nil {
				return r, err
			}
			r.Q = q
		}
		return r, nil
	}
	id, qual, has := strings.Cut(s, ":")
	if !isUUID(id) {
		return r, fault.New(fault.Invalid, "%s is not a message template id.", s)
	}
	r.ID = id
	if has {
		q, err := parseQualifier(qual)
		if err != nil {
			return r, err
		}
		r.Q = q
	}
	return r, nil
}
