package sforg

import (
	"fmt"
	"strconv"
	"strings"
)

// fieldRef is a field path as written in a statement: "Email" or
// "Profile.Name".
type fieldRef struct {
	path []string
	pos  int
}

func (f fieldRef) String() string { return strings.Join(f.path, ".") }

// selectKind tells a plain field from an aggregate in the SELECT list.
type selectKind int

const (
	selField    selectKind = iota
	selCountAll            // COUNT()
	selCount               // COUNT(field)
)

// selectItem is one entry of the SELECT list.
type selectItem struct {
	kind  selectKind
	field fieldRef // selField and selCount
	alias string   // selCount only
	pos   int
}

// literalKind classifies a literal value in a WHERE clause.
type literalKind int

const (
	litString literalKind = iota
	litNumber
	litBool
	litNull
)

// literal is a value in a WHERE clause.
type literal struct {
	kind       literalKind
	str        string
	num        float64
	b          bool
	pattern    []patElem
	likeEscape bool
	text       string
	pos        int
}

// condition is a node of the WHERE clause: *andCond, *orCond, *notCond or
// *cmpCond.
type condition interface{ condPos() int }

type andCond struct {
	terms []condition
	pos   int
}

type orCond struct {
	terms []condition
	pos   int
}

type notCond struct {
	x   condition
	pos int
}

// cmpCond is "field op value", "field [NOT] IN (values)", "field LIKE value"
// or the semi-join "field [NOT] IN (SELECT field FROM object [WHERE ...])".
type cmpCond struct {
	field fieldRef
	op    string // = != < > <= >= LIKE IN NOT IN
	value literal
	list  []literal
	sub   *statement // the sub-select of a semi-join (IN) or anti-join (NOT IN)
	pos   int
}

func (c *andCond) condPos() int { return c.pos }
func (c *orCond) condPos() int  { return c.pos }
func (c *notCond) condPos() int { return c.pos }
func (c *cmpCond) condPos() int { return c.pos }

// orderItem is one key of ORDER BY.
type orderItem struct {
	field     fieldRef
	desc      bool
	nullsLast bool
}

// statement is a parsed SOQL SELECT.
type statement struct {
	src       string
	selects   []selectItem
	object    string
	objectPos int
	where     condition
	groupBy   []fieldRef
	orderBy   []orderItem
	limit     int // -1 when absent
	offset    int // -1 when absent
	offsetPos int
}

// maxSemiJoins is how many semi-join and anti-join sub-selects one
// statement may hold.
const maxSemiJoins = 2

// parser is a recursive-descent parser over the lexer's tokens.
type parser struct {
	src       string
	toks      []token
	i         int
	inSub     bool // parsing the WHERE clause of a sub-select
	semiJoins int  // sub-selects seen so far
}

// parse turns a SOQL statement into its syntax tree, or answers the
// MALFORMED_QUERY error Salesforce would.
func parse(src string) (*statement, *QueryError) {
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	p := &parser{src: src, toks: toks}
	return p.statement()
}

func (p *parser) peek() token { return p.toks[p.i] }

func (p *parser) advance() token {
	t := p.toks[p.i]
	if t.kind != tokEOF {
		p.i++
	}
	return t
}

// isKeyword reports whether t is the identifier kw (case-insensitive).
func isKeyword(t token, kw string) bool {
	return t.kind == tokIdent && strings.EqualFold(t.text, kw)
}

func (p *parser) acceptKeyword(kw string) bool {
	if isKeyword(p.peek(), kw) {
		p.advance()
		return true
	}
	return false
}

func (p *parser) unexpected(t token) *QueryError {
	if t.kind == tokEOF {
		return malformed(p.src, t.pos, "unexpected token: <EOF>")
	}
	return malformed(p.src, t.pos, fmt.Sprintf("unexpected token: '%s'", t.text))
}

func (p *parser) expectKeyword(kw string) *QueryError {
	if p.acceptKeyword(kw) {
		return nil
	}
	return p.unexpected(p.peek())
}

// reserved lists the SOQL keywords that can never be a field or object name.
var reserved = map[string]bool{
	"and": true, "asc": true, "desc": true, "excludes": true, "first": true, "from": true,
	"group": true, "having": true, "in": true, "includes": true, "last": true, "like": true,
	"limit": true, "not": true, "null": true, "nulls": true, "or": true, "select": true,
	"where": true, "with": true, "true": true, "false": true, "order": true, "by": true,
	"offset": true, "for": true, "using": true,
}

func (p *parser) ident() (token, *QueryError) {
	t := p.peek()
	if t.kind != tokIdent || (reserved[strings.ToLower(t.text)] && !p.groupAsName(t)) {
		return t, p.unexpected(t)
	}
	return p.advance(), nil
}

// groupAsName reports whether t, the next token, is GROUP used as a name
// (the Group object, the GroupMember.Group relationship) rather than the
// GROUP BY keyword, as Salesforce tells them apart.
func (p *parser) groupAsName(t token) bool {
	return strings.EqualFold(t.text, "GROUP") && !isKeyword(p.toks[p.i+1], "BY")
}

func (p *parser) fieldPath() (fieldRef, *QueryError) {
	first, err := p.ident()
	if err != nil {
		return fieldRef{}, err
	}
	ref := fieldRef{path: []string{first.text}, pos: first.pos}
	for p.peek().kind == tokDot {
		p.advance()
		next, err := p.ident()
		if err != nil {
			return fieldRef{}, err
		}
		ref.path = append(ref.path, next.text)
	}
	return ref, nil
}

// selectFrom parses the select list and the FROM object that follow SELECT,
// in a statement or a semi-join sub-select.
func (p *parser) selectFrom() (*statement, *QueryError) {
	st := &statement{src: p.src, limit: -1, offset: -1}
	for {
		item, err := p.selectItem()
		if err != nil {
			return nil, err
		}
		st.selects = append(st.selects, item)
		if p.peek().kind != tokComma {
			break
		}
		p.advance()
	}
	if err := p.expectKeyword("FROM"); err != nil {
		return nil, err
	}
	obj, err := p.ident()
	if err != nil {
		return nil, err
	}
	st.object, st.objectPos = obj.text, obj.pos
	return st, nil
}

func (p *parser) statement() (*statement, *QueryError) {
	if err := p.expectKeyword("SELECT"); err != nil {
		return nil, err
	}
	st, err := p.selectFrom()
	if err != nil {
		return nil, err
	}
	if p.peek().kind == tokDot {
		return nil, p.unexpected(p.peek())
	}

	if p.acceptKeyword("WHERE") {
		if st.where, err = p.condExpr(); err != nil {
			return nil, err
		}
		if err := p.checkSemiJoins(st.where); err != nil {
			return nil, err
		}
	}
	if p.acceptKeyword("GROUP") {
		if err := p.expectKeyword("BY"); err != nil {
			return nil, err
		}
		for {
			f, err := p.fieldPath()
			if err != nil {
				return nil, err
			}
			st.groupBy = append(st.groupBy, f)
			if p.peek().kind != tokComma {
				break
			}
			p.advance()
		}
	}
	if p.acceptKeyword("ORDER") {
		if err := p.expectKeyword("BY"); err != nil {
			return nil, err
		}
		for {
			item, err := p.orderItem()
			if err != nil {
				return nil, err
			}
			st.orderBy = append(st.orderBy, item)
			if p.peek().kind != tokComma {
				break
			}
			p.advance()
		}
	}
	if p.acceptKeyword("LIMIT") {
		if st.limit, _, err = p.nonNegativeInt(); err != nil {
			return nil, err
		}
	}
	if p.acceptKeyword("OFFSET") {
		if st.offset, st.offsetPos, err = p.nonNegativeInt(); err != nil {
			return nil, err
		}
	}
	if t := p.peek(); t.kind != tokEOF {
		return nil, p.unexpected(t)
	}
	return st, nil
}

func (p *parser) nonNegativeInt() (int, int, *QueryError) {
	t := p.peek()
	if t.kind != tokNumber {
		return 0, t.pos, p.unexpected(t)
	}
	n, err := strconv.Atoi(t.text)
	if err != nil || n < 0 {
		return 0, t.pos, malformed(p.src, t.pos, fmt.Sprintf("unexpected token: '%s'", t.text))
	}
	p.advance()
	return n, t.pos, nil
}

func (p *parser) selectItem() (selectItem, *QueryError) {
	t := p.peek()
	if isKeyword(t, "COUNT") && p.toks[p.i+1].kind == tokLParen {
		p.advance()
		p.advance()
		item := selectItem{kind: selCountAll, pos: t.pos}
		if p.peek().kind != tokRParen {
			f, err := p.fieldPath()
			if err != nil {
				return selectItem{}, err
			}
			item.kind, item.field = selCount, f
		}
		if p.peek().kind != tokRParen {
			return selectItem{}, p.unexpected(p.peek())
		}
		p.advance()
		if item.kind == selCount {
			if a := p.peek(); a.kind == tokIdent && !reserved[strings.ToLower(a.text)] {
				item.alias = p.advance().text
			}
		}
		return item, nil
	}
	f, err := p.fieldPath()
	if err != nil {
		return selectItem{}, err
	}
	return selectItem{kind: selField, field: f, pos: f.pos}, nil
}

func (p *parser) orderItem() (orderItem, *QueryError) {
	f, err := p.fieldPath()
	if err != nil {
		return orderItem{}, err
	}
	item := orderItem{field: f}
	switch {
	case p.acceptKeyword("ASC"):
	case p.acceptKeyword("DESC"):
		item.desc = true
	}
	if p.acceptKeyword("NULLS") {
		switch {
		case p.acceptKeyword("FIRST"):
		case p.acceptKeyword("LAST"):
			item.nullsLast = true
		default:
			return orderItem{}, p.unexpected(p.peek())
		}
	}
	return item, nil
}

// condExpr parses a WHERE expression. As in Salesforce, AND and OR may not
// be mixed at one level without parentheses: "a AND b OR c" is rejected.
func (p *parser) condExpr() (condition, *QueryError) {
	first, err := p.condTerm()
	if err != nil {
		return nil, err
	}
	var joiner string
	switch {
	case isKeyword(p.peek(), "AND"):
		joiner = "AND"
	case isKeyword(p.peek(), "OR"):
		joiner = "OR"
	default:
		return first, nil
	}
	terms := []condition{first}
	for {
		t := p.peek()
		switch {
		case isKeyword(t, joiner):
			p.advance()
			next, err := p.condTerm()
			if err != nil {
				return nil, err
			}
			terms = append(terms, next)
			continue
		case isKeyword(t, "AND"), isKeyword(t, "OR"):
			return nil, p.unexpected(t)
		}
		break
	}
	if joiner == "AND" {
		return &andCond{terms: terms, pos: first.condPos()}, nil
	}
	return &orCond{terms: terms, pos: first.condPos()}, nil
}

func (p *parser) condTerm() (condition, *QueryError) {
	t := p.peek()
	switch {
	case isKeyword(t, "NOT"):
		p.advance()
		x, err := p.condTerm()
		if err != nil {
			return nil, err
		}
		return &notCond{x: x, pos: t.pos}, nil
	case t.kind == tokLParen:
		p.advance()
		x, err := p.condExpr()
		if err != nil {
			return nil, err
		}
		if r := p.peek(); r.kind != tokRParen {
			if r.kind == tokEOF {
				return nil, malformed(p.src, r.pos, "expecting a right parentheses, found '<EOF>'")
			}
			return nil, malformed(p.src, r.pos, fmt.Sprintf("expecting a right parentheses, found '%s'", r.text))
		}
		p.advance()
		return x, nil
	}
	return p.comparison()
}

func (p *parser) comparison() (condition, *QueryError) {
	f, err := p.fieldPath()
	if err != nil {
		return nil, err
	}
	c := &cmpCond{field: f, pos: f.pos}
	t := p.peek()
	switch {
	case t.kind == tokOp:
		p.advance()
		c.op = t.text
		if c.op == "<>" {
			c.op = "!="
		}
	case isKeyword(t, "LIKE"):
		p.advance()
		c.op = "LIKE"
	case isKeyword(t, "IN"):
		p.advance()
		c.op = "IN"
	case isKeyword(t, "NOT") && isKeyword(p.toks[p.i+1], "IN"):
		p.advance()
		p.advance()
		c.op = "NOT IN"
	default:
		return nil, p.unexpected(t)
	}
	if c.op == "IN" || c.op == "NOT IN" {
		if p.peek().kind != tokLParen {
			return nil, p.unexpected(p.peek())
		}
		p.advance()
		if isKeyword(p.peek(), "SELECT") {
			if c.sub, err = p.subSelect(); err != nil {
				return nil, err
			}
			return c, nil
		}
		for {
			v, err := p.literal()
			if err != nil {
				return nil, err
			}
			c.list = append(c.list, v)
			if p.peek().kind != tokComma {
				break
			}
			p.advance()
		}
		if r := p.peek(); r.kind != tokRParen {
			return nil, p.unexpected(r)
		}
		p.advance()
		return c, nil
	}
	if c.value, err = p.literal(); err != nil {
		return nil, err
	}
	return c, nil
}

// subSelect parses the sub-select of a semi-join or anti-join, from SELECT
// to the closing parenthesis. Its grammar is that of a statement without
// GROUP BY, ORDER BY, LIMIT and OFFSET, and its WHERE clause may not hold
// another sub-select. How many fields it selects, and which, is checked
// against the schema (compileSemiJoin).
func (p *parser) subSelect() (*statement, *QueryError) {
	sel := p.peek()
	if p.inSub {
		return nil, malformed(p.src, sel.pos, "Nesting of semi join sub-selects is not supported")
	}
	if p.semiJoins++; p.semiJoins > maxSemiJoins {
		return nil, malformed(p.src, sel.pos, fmt.Sprintf("Maximum %d semi join sub-selects are allowed", maxSemiJoins))
	}
	p.advance()
	st, err := p.selectFrom()
	if err != nil {
		return nil, err
	}
	if p.acceptKeyword("WHERE") {
		p.inSub = true
		st.where, err = p.condExpr()
		p.inSub = false
		if err != nil {
			return nil, err
		}
	}
	if r := p.peek(); r.kind != tokRParen {
		if r.kind == tokEOF {
			return nil, malformed(p.src, r.pos, "expecting a right parentheses, found '<EOF>'")
		}
		return nil, malformed(p.src, r.pos, fmt.Sprintf("expecting a right parentheses, found '%s'", r.text))
	}
	p.advance()
	return st, nil
}

// Messages of semi-joins out of place.
const (
	semiJoinWithOr = "Semi join sub-selects are not allowed with the 'OR' operator"
	semiJoinNotTop = "Semi join sub-selects are only allowed at the top level WHERE expressions and not in nested WHERE expressions."
)

// checkSemiJoins enforces where a semi-join may stand, as Salesforce does:
// it is the whole WHERE clause or one of the terms of its top-level AND;
// never a term of an OR, under NOT, or inside parentheses that group other
// conditions.
func (p *parser) checkSemiJoins(c condition) *QueryError {
	switch c := c.(type) {
	case *andCond:
		for _, t := range c.terms {
			if isSemiJoin(t) {
				continue
			}
			if err := p.refuseSemiJoins(t); err != nil {
				return err
			}
		}
	case *orCond:
		for _, t := range c.terms {
			if isSemiJoin(t) {
				return malformed(p.src, t.condPos(), semiJoinWithOr)
			}
		}
		return p.refuseSemiJoins(c)
	case *notCond:
		return p.refuseSemiJoins(c)
	}
	return nil
}

// refuseSemiJoins answers the error for the first semi-join within c, which
// is not at the top level.
func (p *parser) refuseSemiJoins(c condition) *QueryError {
	switch c := c.(type) {
	case *cmpCond:
		if c.sub != nil {
			return malformed(p.src, c.pos, semiJoinNotTop)
		}
	case *andCond:
		for _, t := range c.terms {
			if err := p.refuseSemiJoins(t); err != nil {
				return err
			}
		}
	case *orCond:
		for _, t := range c.terms {
			if err := p.refuseSemiJoins(t); err != nil {
				return err
			}
		}
	case *notCond:
		return p.refuseSemiJoins(c.x)
	}
	return nil
}

func isSemiJoin(c condition) bool {
	cmp, ok := c.(*cmpCond)
	return ok && cmp.sub != nil
}

func (p *parser) literal() (literal, *QueryError) {
	t := p.peek()
	switch {
	case t.kind == tokString:
		p.advance()
		return literal{kind: litString, str: t.str, pattern: t.pattern, likeEscape: t.likeEscape, text: t.text, pos: t.pos}, nil
	case t.kind == tokNumber:
		p.advance()
		n, err := strconv.ParseFloat(t.text, 64)
		if err != nil {
			return literal{}, malformed(p.src, t.pos, fmt.Sprintf("unexpected token: '%s'", t.text))
		}
		return literal{kind: litNumber, num: n, text: t.text, pos: t.pos}, nil
	case isKeyword(t, "TRUE"), isKeyword(t, "FALSE"):
		p.advance()
		return literal{kind: litBool, b: strings.EqualFold(t.text, "TRUE"), text: t.text, pos: t.pos}, nil
	case isKeyword(t, "NULL"):
		p.advance()
		return literal{kind: litNull, text: t.text, pos: t.pos}, nil
	}
	return literal{}, p.unexpected(t)
}
