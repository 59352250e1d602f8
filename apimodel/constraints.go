package apimodel

import "iter"

// StepKind tells how a Step enters a nested value.
type StepKind uint8

// The steps from a shape to a nested value.
const (
	StepMember   StepKind = iota + 1 // a member of a structure (Step.Member)
	StepListElem                     // an element of a list
	StepMapKey                       // a key of a map
	StepMapValue                     // a value of a map
)

// Step is one step on the way from an input shape to a constrained value.
type Step struct {
	Kind   StepKind
	Member *Member // for StepMember
}

// Constraint is one constraint of the model at one place of an input.
type Constraint struct {
	// Steps lead from the root shape to the constrained value; the last
	// step of a ConstraintRequired constraint is the required member.
	Steps []Step
	// Shape is the constrained shape (the member's target for required).
	Shape *Shape
	// Kind is one of ConstraintRequired, ConstraintMinLength,
	// ConstraintMaxLength, ConstraintMinValue, ConstraintMaxValue,
	// ConstraintPattern, ConstraintEnum and ConstraintUnion.
	Kind ConstraintKind
}

// Constraints yields every constraint reachable from the named shape (an
// operation's Input, say), depth first in model order. A shape is not
// entered again below itself, so recursive shapes are walked once. The
// Steps slice is only valid during the yield call; copy it to keep it. An
// unknown shape yields nothing.
func (s *Service) Constraints(shape string) iter.Seq[Constraint] {
	return func(yield func(Constraint) bool) {
		root, ok := s.Shapes[shape]
		if !ok {
			return
		}
		w := constraintWalker{yield: yield, active: map[*Shape]bool{}}
		w.walk(root)
	}
}

type constraintWalker struct {
	yield  func(Constraint) bool
	steps  []Step
	active map[*Shape]bool
	done   bool
}

func (w *constraintWalker) emit(sh *Shape, kind ConstraintKind) {
	if !w.done && !w.yield(Constraint{Steps: w.steps, Shape: sh, Kind: kind}) {
		w.done = true
	}
}

func (w *constraintWalker) walk(sh *Shape) {
	if w.done || w.active[sh] {
		return
	}
	w.active[sh] = true
	defer delete(w.active, sh)
	switch sh.Type {
	case TypeInteger, TypeLong, TypeFloat, TypeDouble:
		if sh.HasMin {
			w.emit(sh, ConstraintMinValue)
		}
		if sh.HasMax {
			w.emit(sh, ConstraintMaxValue)
		}
	case TypeString, TypeBlob, TypeList, TypeMap:
		if sh.HasMin {
			w.emit(sh, ConstraintMinLength)
		}
		if sh.HasMax {
			w.emit(sh, ConstraintMaxLength)
		}
	}
	if sh.Pattern != nil {
		w.emit(sh, ConstraintPattern)
	}
	if sh.Enum != nil {
		w.emit(sh, ConstraintEnum)
	}
	if sh.Union {
		w.emit(sh, ConstraintUnion)
	}
	switch sh.Type {
	case TypeStructure:
		for _, m := range sh.Members {
			w.steps = append(w.steps, Step{Kind: StepMember, Member: m})
			if m.Required {
				w.emit(m.Target, ConstraintRequired)
			}
			w.walk(m.Target)
			w.steps = w.steps[:len(w.steps)-1]
		}
	case TypeList:
		w.steps = append(w.steps, Step{Kind: StepListElem})
		w.walk(sh.Member)
		w.steps = w.steps[:len(w.steps)-1]
	case TypeMap:
		w.steps = append(w.steps, Step{Kind: StepMapKey})
		w.walk(sh.Key)
		w.steps[len(w.steps)-1] = Step{Kind: StepMapValue}
		w.walk(sh.Value)
		w.steps = w.steps[:len(w.steps)-1]
	}
}
