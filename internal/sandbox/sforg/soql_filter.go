package sforg

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/salesseat/terraform-provider-salesseat/internal/sfid"
)

// predicate reports whether a row satisfies a WHERE condition.
type predicate func(row any) bool

func (e *evaluator) compileCond(c condition) (predicate, *QueryError) {
	switch c := c.(type) {
	case *andCond:
		terms, err := e.compileTerms(c.terms)
		if err != nil {
			return nil, err
		}
		return func(row any) bool {
			for _, t := range terms {
				if !t(row) {
					return false
				}
			}
			return true
		}, nil
	case *orCond:
		terms, err := e.compileTerms(c.terms)
		if err != nil {
			return nil, err
		}
		return func(row any) bool {
			for _, t := range terms {
				if t(row) {
					return true
				}
			}
			return false
		}, nil
	case *notCond:
		x, err := e.compileCond(c.x)
		if err != nil {
			return nil, err
		}
		return func(row any) bool { return !x(row) }, nil
	case *cmpCond:
		return e.compileCmp(c)
	}
	panic(fmt.Sprintf("sforg: unknown condition %T", c))
}

func (e *evaluator) compileTerms(cs []condition) ([]predicate, *QueryError) {
	out := make([]predicate, 0, len(cs))
	for _, c := range cs {
		p, err := e.compileCond(c)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// operand is a literal checked against the type of the field it is
// compared with: a normalised 18-character ID, a string, a bool or null.
type operand struct {
	null bool
	str  string // typeString: as written; typeID/typeReference: 18-character form
	b    bool
}

func (e *evaluator) operand(f *resolvedField, lit literal, op string) (operand, *QueryError) {
	src := e.st.src
	if lit.likeEscape && op != "LIKE" {
		seq := `\%`
		if u, p := strings.Index(lit.text, `\_`), strings.Index(lit.text, `\%`); u >= 0 && (p < 0 || u < p) {
			seq = `\_`
		}
		return operand{}, malformed(src, lit.pos, fmt.Sprintf("Invalid string literal %s. Illegal character sequence '%s' in string literal.", lit.text, seq))
	}
	if lit.kind == litNull {
		return operand{null: true}, nil
	}
	name := f.ref.String()
	switch f.def.typ {
	case typeString:
		if lit.kind != litString {
			return operand{}, invalidFilter(src, lit.pos, fmt.Sprintf("value of filter criterion for field '%s' must be of type string and should be enclosed in quotes", name))
		}
		return operand{str: lit.str}, nil
	case typeID, typeReference:
		if lit.kind != litString {
			return operand{}, invalidFilter(src, lit.pos, fmt.Sprintf("value of filter criterion for field '%s' must be of type id and should be enclosed in quotes", name))
		}
		if lit.str == "" {
			return operand{null: true}, nil
		}
		id, err := sfid.Normalize(lit.str)
		if err != nil {
			return operand{}, invalidFilter(src, lit.pos, fmt.Sprintf("invalid ID field: %s", lit.str))
		}
		return operand{str: id}, nil
	case typeBoolean:
		if lit.kind != litBool {
			return operand{}, invalidFilter(src, lit.pos, fmt.Sprintf("value of filter criterion for field '%s' must be of type boolean and should not be enclosed in quotes", name))
		}
		return operand{b: lit.b}, nil
	}
	panic("sforg: unknown field type")
}

func (e *evaluator) compileCmp(c *cmpCond) (predicate, *QueryError) {
	if c.sub != nil {
		return e.compileSemiJoin(c)
	}
	f, qerr := e.resolve(c.field)
	if qerr != nil {
		return nil, qerr
	}
	ds := e.ds
	get := func(row any) any { return f.value(ds, row) }
	typ := f.def.typ
	src := e.st.src

	switch c.op {
	case "LIKE":
		if typ != typeString {
			return nil, invalidFilter(src, c.pos, fmt.Sprintf("invalid operator on %s field: LIKE is supported on text fields only, not on '%s'", typeName(typ), f.ref))
		}
		if c.value.kind != litString {
			return nil, invalidFilter(src, c.value.pos, fmt.Sprintf("value of filter criterion for field '%s' must be of type string and should be enclosed in quotes", f.ref))
		}
		pat := lowerPattern(c.value.pattern)
		return func(row any) bool {
			s, ok := get(row).(string)
			return ok && likeMatch(pat, s)
		}, nil
	case "IN", "NOT IN":
		ops := make([]operand, 0, len(c.list))
		for _, lit := range c.list {
			o, qerr := e.operand(f, lit, c.op)
			if qerr != nil {
				return nil, qerr
			}
			ops = append(ops, o)
		}
		in := inSet(typ, ops)
		if c.op == "IN" {
			return func(row any) bool { return in(get(row)) }, nil
		}
		return func(row any) bool { return !in(get(row)) }, nil
	}

	o, qerr := e.operand(f, c.value, c.op)
	if qerr != nil {
		return nil, qerr
	}
	if typ == typeBoolean && c.op != "=" && c.op != "!=" {
		return nil, invalidFilter(src, c.pos, fmt.Sprintf("invalid operator on boolean field: '%s' supports only = and !=", f.ref))
	}
	eq := func(v any) bool {
		if v == nil || o.null {
			return v == nil && o.null
		}
		return compareValues(typ, v, o) == 0
	}
	switch c.op {
	case "=":
		return func(row any) bool { return eq(get(row)) }, nil
	case "!=":
		return func(row any) bool { return !eq(get(row)) }, nil
	}
	if o.null {
		return func(any) bool { return false }, nil
	}
	var want func(int) bool
	switch c.op {
	case "<":
		want = func(n int) bool { return n < 0 }
	case ">":
		want = func(n int) bool { return n > 0 }
	case "<=":
		want = func(n int) bool { return n <= 0 }
	case ">=":
		want = func(n int) bool { return n >= 0 }
	default:
		return nil, malformed(src, c.pos, fmt.Sprintf("unexpected token: '%s'", c.op))
	}
	return func(row any) bool {
		v := get(row)
		return v != nil && want(compareValues(typ, v, o))
	}, nil
}

func typeName(t fieldType) string {
	switch t {
	case typeID:
		return "id"
	case typeReference:
		return "reference"
	case typeBoolean:
		return "boolean"
	}
	return "string"
}

// compareValues compares a non-nil field value with a non-null operand:
// text case-insensitively (Salesforce compares upper-cased values), IDs by
// their characters (the order of ORDER BY Id), booleans false < true.
func compareValues(typ fieldType, v any, o operand) int {
	switch v := v.(type) {
	case string:
		if typ == typeString {
			return foldCompare(v, o.str)
		}
		return strings.Compare(v, o.str)
	case bool:
		return compareBool(v, o.b)
	}
	panic(fmt.Sprintf("sforg: cannot compare a %T", v))
}

func compareBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case !a:
		return -1
	}
	return 1
}

// inSet builds the membership test of an IN list.
func inSet(typ fieldType, ops []operand) func(v any) bool {
	hasNull := false
	switch typ {
	case typeBoolean:
		var hasTrue, hasFalse bool
		for _, o := range ops {
			switch {
			case o.null:
				hasNull = true
			case o.b:
				hasTrue = true
			default:
				hasFalse = true
			}
		}
		return func(v any) bool {
			switch v := v.(type) {
			case nil:
				return hasNull
			case bool:
				if v {
					return hasTrue
				}
				return hasFalse
			}
			return false
		}
	case typeString:
		if len(ops) <= 8 {
			return func(v any) bool {
				for _, o := range ops {
					if o.null {
						if v == nil {
							return true
						}
						continue
					}
					if s, ok := v.(string); ok && strings.EqualFold(s, o.str) {
						return true
					}
				}
				return false
			}
		}
		set := make(map[string]struct{}, len(ops))
		for _, o := range ops {
			if o.null {
				hasNull = true
				continue
			}
			set[foldKey(o.str)] = struct{}{}
		}
		return func(v any) bool {
			if v == nil {
				return hasNull
			}
			s, _ := v.(string)
			_, ok := set[foldKey(s)]
			return ok
		}
	default:
		set := make(map[string]struct{}, len(ops))
		for _, o := range ops {
			if o.null {
				hasNull = true
				continue
			}
			set[o.str] = struct{}{}
		}
		return func(v any) bool {
			if v == nil {
				return hasNull
			}
			s, _ := v.(string)
			_, ok := set[s]
			return ok
		}
	}
}

// foldKey maps strings that compare equal case-insensitively to one key.
func foldKey(s string) string { return strings.ToUpper(strings.ToLower(s)) }

// foldCompare compares a and b rune by rune on their upper-case forms.
func foldCompare(a, b string) int {
	for a != "" && b != "" {
		ra, na := utf8.DecodeRuneInString(a)
		rb, nb := utf8.DecodeRuneInString(b)
		if ra != rb {
			ua, ub := unicode.ToUpper(ra), unicode.ToUpper(rb)
			if ua != ub {
				if ua < ub {
					return -1
				}
				return 1
			}
		}
		a, b = a[na:], b[nb:]
	}
	switch {
	case a == "" && b == "":
		return 0
	case a == "":
		return -1
	}
	return 1
}

// lowerPattern lower-cases the literal runes of a LIKE pattern.
func lowerPattern(p []patElem) []patElem {
	out := make([]patElem, len(p))
	for i, e := range p {
		if !e.wildcard {
			e.r = unicode.ToLower(e.r)
		}
		out[i] = e
	}
	return out
}

// likeMatch reports whether s matches a lower-cased LIKE pattern, ignoring
// case: '%' matches any run of characters (also none), '_' exactly one.
func likeMatch(p []patElem, s string) bool {
	pi, si := 0, 0
	starP, starS := -1, 0
	for si < len(s) {
		r, size := utf8.DecodeRuneInString(s[si:])
		if pi < len(p) {
			e := p[pi]
			switch {
			case e.wildcard && e.r == '%':
				starP, starS = pi, si
				pi++
				continue
			case e.wildcard && e.r == '_', !e.wildcard && (e.r == r || e.r == unicode.ToLower(r)):
				pi++
				si += size
				continue
			}
		}
		if starP < 0 {
			return false
		}
		_, n := utf8.DecodeRuneInString(s[starS:])
		starS += n
		pi, si = starP+1, starS
	}
	for pi < len(p) && p[pi].wildcard && p[pi].r == '%' {
		pi++
	}
	return pi == len(p)
}

// compileOrder builds the ORDER BY comparison, or nil when the rows are
// already in the requested order (ORDER BY Id on rows stored by ID).
func (e *evaluator) compileOrder() (func(a, b any) bool, *QueryError) {
	st := e.st
	if len(st.orderBy) == 0 {
		return nil, nil
	}
	type key struct {
		f         *resolvedField
		desc      bool
		nullsLast bool
	}
	keys := make([]key, 0, len(st.orderBy))
	for _, o := range st.orderBy {
		f, qerr := e.resolve(o.field)
		if qerr != nil {
			return nil, qerr
		}
		keys = append(keys, key{f: f, desc: o.desc, nullsLast: o.nullsLast})
	}
	if k := keys[0]; len(k.f.rels) == 0 && k.f.def.typ == typeID && !k.desc {
		return nil, nil // rows are stored by ID and IDs are unique
	}
	ds := e.ds
	return func(a, b any) bool {
		for _, k := range keys {
			if n := orderCompare(k.f.def.typ, k.f.value(ds, a), k.f.value(ds, b), k.desc, k.nullsLast); n != 0 {
				return n < 0
			}
		}
		return false
	}, nil
}

// orderCompare orders two field values. Nulls sort first unless NULLS LAST
// was given, whatever the direction, as Salesforce documents.
func orderCompare(typ fieldType, a, b any, desc, nullsLast bool) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		if nullsLast {
			return 1
		}
		return -1
	case b == nil:
		if nullsLast {
			return -1
		}
		return 1
	}
	var n int
	switch a := a.(type) {
	case string:
		bs, _ := b.(string)
		if typ == typeString {
			n = foldCompare(a, bs)
		} else {
			n = strings.Compare(a, bs)
		}
	case bool:
		bb, _ := b.(bool)
		n = compareBool(a, bb)
	}
	if desc {
		n = -n
	}
	return n
}

// compileSemiJoin checks a semi-join (IN) or anti-join (NOT IN) as
// Salesforce does and runs its sub-select against the same snapshot as the
// outer statement: the left operand is an Id or reference field of the
// queried object; the sub-select reads another object, validated like a
// statement of its own, and selects one Id or reference field that points
// to an object the left operand may point to. A null left operand is in no
// sub-select's result.
func (e *evaluator) compileSemiJoin(c *cmpCond) (predicate, *QueryError) {
	src := e.st.src
	f, qerr := e.resolve(c.field)
	if qerr != nil {
		return nil, qerr
	}
	switch {
	case len(f.rels) > 0:
		return nil, malformed(src, c.field.pos, fmt.Sprintf("The left operand field in the where expression for outer query should be a field of entity '%s', cannot use: '%s'", e.obj.name, c.field))
	case f.def.typ != typeID && f.def.typ != typeReference:
		return nil, malformed(src, c.field.pos, fmt.Sprintf("The left operand field in the where expression for outer query should be an id field, cannot use: '%s'", c.field))
	}

	sub := c.sub
	obj, qerr := lookupObject(sub)
	if qerr != nil {
		return nil, qerr
	}
	if obj == e.obj {
		return nil, malformed(src, sub.objectPos, "The inner and outer selects should not be on the same object type")
	}
	inner := &evaluator{st: sub, obj: obj, ds: e.ds}
	if len(sub.selects) > 1 {
		return nil, malformed(src, sub.selects[1].pos, "Only one field can be selected in a semi join sub-select")
	}
	sel := sub.selects[0]
	if sel.kind != selField {
		return nil, malformed(src, sel.pos, "Aggregate functions are not allowed in a semi join sub-select; select one id field")
	}
	sf, qerr := inner.resolve(sel.field)
	if qerr != nil {
		return nil, qerr
	}
	if len(sf.rels) > 0 || (sf.def.typ != typeID && sf.def.typ != typeReference) {
		return nil, malformed(src, sel.pos, fmt.Sprintf("The selected field in the subquery should be an id field, cannot use: '%s'", sel.field))
	}
	if !slices.ContainsFunc(f.def.pointsTo(e.obj), func(o string) bool { return slices.Contains(sf.def.pointsTo(obj), o) }) {
		return nil, malformed(src, sel.pos, fmt.Sprintf(
			"The selected field '%s' in the subquery and the left operand field in the where expression in the outer query '%s' should point to the same object type", sel.field, c.field))
	}
	pred := predicate(func(any) bool { return true })
	if sub.where != nil {
		if pred, qerr = inner.compileCond(sub.where); qerr != nil {
			return nil, qerr
		}
	}

	// Stored IDs are in 18-character form, so the set compares them as
	// Salesforce does whichever form a literal was written in.
	ds := e.ds
	ids := map[string]struct{}{}
	for _, row := range obj.rows(ds) {
		if !pred(row) {
			continue
		}
		if id, ok := sf.value(ds, row).(string); ok {
			ids[id] = struct{}{}
		}
	}
	in := func(row any) bool {
		id, ok := f.value(ds, row).(string)
		if !ok {
			return false
		}
		_, hit := ids[id]
		return hit
	}
	if c.op == "IN" {
		return in, nil
	}
	return func(row any) bool { return !in(row) }, nil
}
