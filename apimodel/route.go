package apimodel

import (
	"fmt"
	"strings"
)

// routeSeg is one segment of a path template.
type routeSeg struct {
	literal string // set for a literal segment
	label   string // set for {label} and {label+}
	greedy  bool   // {label+}: one or more segments, slashes included
}

// routeNode is a node of the per-service segment trie. Literal children are
// preferred over a label, a label over a greedy label.
type routeNode struct {
	literals map[string]*routeNode
	label    *routeNode
	greedy   *routeNode
	ops      map[string]*Operation // by HTTP method, for templates ending here
}

// maxRouteDepth bounds the number of segments a request path may have to
// match; templates of the models are far shorter.
const maxRouteDepth = 32

func parseTemplate(t string) ([]routeSeg, error) {
	if !strings.HasPrefix(t, "/") {
		return nil, fmt.Errorf("path template %q does not start with /", t)
	}
	if t == "/" {
		return nil, nil
	}
	parts := strings.Split(t[1:], "/")
	if len(parts) > maxRouteDepth {
		return nil, fmt.Errorf("path template %q is too deep", t)
	}
	segs := make([]routeSeg, len(parts))
	for i, p := range parts {
		if strings.HasPrefix(p, "{") && strings.HasSuffix(p, "}") {
			name := p[1 : len(p)-1]
			greedy := strings.HasSuffix(name, "+")
			name = strings.TrimSuffix(name, "+")
			if name == "" || strings.ContainsAny(name, "{}") {
				return nil, fmt.Errorf("path template %q: bad label %q", t, p)
			}
			if greedy && i != len(parts)-1 {
				return nil, fmt.Errorf("path template %q: greedy label not last", t)
			}
			segs[i] = routeSeg{label: name, greedy: greedy}
			continue
		}
		if p == "" || strings.ContainsAny(p, "{}") {
			return nil, fmt.Errorf("path template %q: bad segment %q", t, p)
		}
		segs[i] = routeSeg{literal: p}
	}
	return segs, nil
}

func newRouter(ops []*Operation) (*routeNode, error) {
	root := &routeNode{}
	for _, op := range ops {
		n := root
		for _, sg := range op.segs {
			var next **routeNode
			switch {
			case sg.greedy:
				next = &n.greedy
			case sg.label != "":
				next = &n.label
			default:
				if n.literals == nil {
					n.literals = make(map[string]*routeNode)
				}
				c := n.literals[sg.literal]
				if c == nil {
					c = &routeNode{}
					n.literals[sg.literal] = c
				}
				n = c
				continue
			}
			if *next == nil {
				*next = &routeNode{}
			}
			n = *next
		}
		if n.ops == nil {
			n.ops = make(map[string]*Operation)
		}
		if prev := n.ops[op.Method]; prev != nil {
			return nil, fmt.Errorf("operations %s and %s share the route %s %s", prev.Name, op.Name, op.Method, op.PathTemplate)
		}
		n.ops[op.Method] = op
	}
	return root, nil
}

// Match finds the operation for an HTTP method and an escaped request path
// (URL.EscapedPath, without the query). Labels are percent-decoded after
// matching, so an escaped "/" or ":" stays inside its label. Literal
// segments win over labels. The returned map holds the label values by
// label name; it is nil for templates without labels.
func (s *Service) Match(method, escapedPath string) (*Operation, map[string]string, bool) {
	if !strings.HasPrefix(escapedPath, "/") {
		return nil, nil, false
	}
	var raw [maxRouteDepth]string
	op := s.router.match(method, escapedPath[1:], escapedPath == "/", &raw, 0)
	if op == nil {
		return nil, nil, false
	}
	var labels map[string]string
	j := 0
	for _, sg := range op.segs {
		if sg.label == "" {
			continue
		}
		if labels == nil {
			labels = make(map[string]string, 2)
		}
		v, ok := unescapeLabel(raw[j])
		if !ok {
			return nil, nil, false
		}
		labels[sg.label] = v
		j++
	}
	return op, labels, true
}

// match walks the remaining path rest (without its leading slash); done is
// set when no segment is left. The raw value of the i-th label of the path
// is stored in raw[i]; depth labels precede this node.
func (n *routeNode) match(method, rest string, done bool, raw *[maxRouteDepth]string, depth int) *Operation {
	if done {
		return n.ops[method]
	}
	seg, tail, more := strings.Cut(rest, "/")
	if n.literals != nil {
		if v, ok := unescapeLabel(seg); ok {
			if c := n.literals[v]; c != nil {
				if op := c.match(method, tail, !more, raw, depth); op != nil {
					return op
				}
			}
		}
	}
	if seg == "" {
		return nil
	}
	if depth == maxRouteDepth {
		return nil
	}
	if n.label != nil {
		raw[depth] = seg
		if op := n.label.match(method, tail, !more, raw, depth+1); op != nil {
			return op
		}
	}
	if n.greedy != nil {
		if op := n.greedy.ops[method]; op != nil {
			raw[depth] = rest
			return op
		}
	}
	return nil
}
