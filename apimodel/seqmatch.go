package apimodel

import (
	"math/bits"
	"regexp/syntax"
	"sort"
	"unicode/utf8"
)

// seqMatcher is a fast matcher for the most common shape of model pattern:
// a sequence of single-character classes, each once, optional, or
// repeated (^[^\s@]+@[^\s@]+\.[^\s@]+$, ^[a-f0-9]{8}-…$, ^\P{C}*$). It
// simulates the pattern's NFA with one bit per position, so it runs in
// linear time like regexp but without its general machinery. Patterns of
// any other shape use regexp.
type seqMatcher struct {
	atoms            []seqAtom
	anchoredStart    bool
	anchoredEnd      bool
	skippable        uint64 // bit i: atom i may match nothing (? or *)
	start, acceptBit uint64
}

type seqAtom struct {
	class charClass
	loop  bool // * : stays on itself after a match
}

// charClass is a set of runes: sorted inclusive ranges, with a bitmap for
// ASCII.
type charClass struct {
	ascii  [2]uint64
	ranges []rune // lo, hi pairs, sorted
}

func (c *charClass) has(r rune) bool {
	if r < utf8.RuneSelf {
		return c.ascii[r>>6]&(1<<(uint(r)&63)) != 0
	}
	i := sort.Search(len(c.ranges)/2, func(i int) bool { return c.ranges[2*i+1] >= r })
	return i < len(c.ranges)/2 && c.ranges[2*i] <= r
}

func newCharClass(ranges []rune) charClass {
	c := charClass{ranges: ranges}
	for i := 0; i+1 < len(ranges); i += 2 {
		for r := ranges[i]; r <= ranges[i+1] && r < utf8.RuneSelf; r++ {
			c.ascii[r>>6] |= 1 << (uint(r) & 63)
		}
	}
	return c
}

// maxSeqAtoms is the most atoms a sequence may have: one bit each, plus
// the accepting state.
const maxSeqAtoms = 63

// newSeqMatcher returns a matcher for re2 (Go syntax), or nil when the
// pattern is not a plain sequence.
func newSeqMatcher(re2 string) *seqMatcher {
	re, err := syntax.Parse(re2, syntax.Perl)
	if err != nil {
		return nil
	}
	nodes := []*syntax.Regexp{re}
	if re.Op == syntax.OpConcat {
		nodes = re.Sub
	}
	m := &seqMatcher{}
	if len(nodes) > 0 && nodes[0].Op == syntax.OpBeginText {
		m.anchoredStart = true
		nodes = nodes[1:]
	}
	if len(nodes) > 0 && nodes[len(nodes)-1].Op == syntax.OpEndText {
		m.anchoredEnd = true
		nodes = nodes[:len(nodes)-1]
	}
	for _, n := range nodes {
		if !m.addNode(n) {
			return nil
		}
	}
	if len(m.atoms) == 0 {
		return nil
	}
	for i, a := range m.atoms {
		if a.loop {
			m.skippable |= 1 << i
		}
	}
	m.acceptBit = 1 << len(m.atoms)
	m.start = m.closure(1)
	return m
}

func (m *seqMatcher) addNode(n *syntax.Regexp) bool {
	if n.Flags&syntax.FoldCase != 0 {
		return false
	}
	switch n.Op {
	case syntax.OpLiteral:
		for _, r := range n.Rune {
			if !m.add(charClass{}, r, false, false) {
				return false
			}
		}
		return true
	case syntax.OpCharClass, syntax.OpAnyCharNotNL, syntax.OpAnyChar:
		c, ok := singleClass(n)
		return ok && m.add(c, -1, false, false)
	case syntax.OpStar, syntax.OpPlus, syntax.OpQuest:
		c, ok := singleClass(n.Sub[0])
		if !ok {
			return false
		}
		switch n.Op {
		case syntax.OpStar:
			return m.add(c, -1, true, false)
		case syntax.OpPlus:
			return m.add(c, -1, false, false) && m.add(c, -1, true, false)
		}
		return m.add(c, -1, false, true)
	case syntax.OpRepeat:
		c, ok := singleClass(n.Sub[0])
		if !ok || n.Min < 0 {
			return false
		}
		for range n.Min {
			if !m.add(c, -1, false, false) {
				return false
			}
		}
		if n.Max < 0 {
			return m.add(c, -1, true, false)
		}
		for range n.Max - n.Min {
			if !m.add(c, -1, false, true) {
				return false
			}
		}
		return true
	}
	return false
}

// add appends an atom: the class c, or the single rune lit when lit >= 0.
// An optional atom is one that may be skipped but not repeated.
func (m *seqMatcher) add(c charClass, lit rune, loop, optional bool) bool {
	if len(m.atoms) >= maxSeqAtoms {
		return false
	}
	if lit >= 0 {
		c = newCharClass([]rune{lit, lit})
	}
	if optional {
		m.skippable |= 1 << len(m.atoms)
	}
	m.atoms = append(m.atoms, seqAtom{class: c, loop: loop})
	return true
}

// singleClass returns the class of a node that matches exactly one rune.
func singleClass(n *syntax.Regexp) (charClass, bool) {
	if n.Flags&syntax.FoldCase != 0 {
		return charClass{}, false
	}
	switch n.Op {
	case syntax.OpCharClass:
		return newCharClass(n.Rune), true
	case syntax.OpAnyCharNotNL:
		return newCharClass([]rune{0, '\n' - 1, '\n' + 1, utf8.MaxRune}), true
	case syntax.OpAnyChar:
		return newCharClass([]rune{0, utf8.MaxRune}), true
	case syntax.OpLiteral:
		if len(n.Rune) == 1 {
			return newCharClass([]rune{n.Rune[0], n.Rune[0]}), true
		}
	}
	return charClass{}, false
}

// closure adds to the state set every state reachable by skipping
// skippable atoms.
func (m *seqMatcher) closure(set uint64) uint64 {
	for x := set & m.skippable; x != 0; x &= x - 1 {
		next := uint64(1) << (bits.TrailingZeros64(x) + 1)
		set |= next
		x |= next & m.skippable // skipping on: the bit is above the current one
	}
	return set
}

func (m *seqMatcher) match(s string) bool {
	cur := m.start
	if !m.anchoredEnd && cur&m.acceptBit != 0 {
		return true
	}
	for _, r := range s {
		var next uint64
		for set := cur &^ m.acceptBit; set != 0; set &= set - 1 {
			i := bits.TrailingZeros64(set)
			a := &m.atoms[i]
			if a.class.has(r) {
				if a.loop {
					next |= 1 << i
				} else {
					next |= 1 << (i + 1)
				}
			}
		}
		cur = m.closure(next)
		if !m.anchoredStart {
			cur |= m.start
		}
		if !m.anchoredEnd && cur&m.acceptBit != 0 {
			return true
		}
		if cur == 0 {
			return false
		}
	}
	return cur&m.acceptBit != 0
}
