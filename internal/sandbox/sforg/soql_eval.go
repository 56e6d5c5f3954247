package sforg

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxOffset is the largest OFFSET Salesforce accepts.
const maxOffset = 2000

// resolvedField is a field path checked against the schema.
type resolvedField struct {
	ref  fieldRef
	path []string  // canonical names, e.g. ["Profile", "Name"]
	rels []*relDef // relationships walked, in order
	def  *fieldDef
}

// value reads the field from row, following relationships; a missing
// related record yields nil.
func (f *resolvedField) value(ds *dataset, row any) any {
	for _, rel := range f.rels {
		row = rel.get(ds, row)
		if row == nil {
			return nil
		}
	}
	return f.def.get(ds, row)
}

// result is the outcome of a query: how many records, and how to render
// record i as Salesforce's JSON.
type result struct {
	total  int // totalSize
	size   int // records to render: total, or 0 for COUNT()
	render func(buf []byte, i int, version string) []byte
}

// execute parses, checks and runs a SOQL statement against ds.
func execute(src string, ds *dataset) (*result, *QueryError) {
	st, qerr := parse(src)
	if qerr != nil {
		return nil, qerr
	}
	obj, qerr := lookupObject(st)
	if qerr != nil {
		return nil, qerr
	}
	if st.offset > maxOffset {
		return nil, &QueryError{Code: CodeNumberOutsideValidRange, Message: positioned(src, st.offsetPos, fmt.Sprintf("Maximum SOQL offset allowed is %d", maxOffset))}
	}
	e := &evaluator{st: st, obj: obj, ds: ds}
	return e.run()
}

// lookupObject finds the object a statement (or sub-select) reads.
func lookupObject(st *statement) (*objectDef, *QueryError) {
	obj, ok := objects[strings.ToLower(st.object)]
	if !ok {
		return nil, &QueryError{Code: CodeInvalidType, Message: positioned(st.src, st.objectPos, fmt.Sprintf(
			"sObject type '%s' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.", st.object))}
	}
	return obj, nil
}

type evaluator struct {
	st  *statement
	obj *objectDef
	ds  *dataset
}

func (e *evaluator) resolve(ref fieldRef) (*resolvedField, *QueryError) {
	path := ref.path
	if len(path) > 1 && strings.EqualFold(path[0], e.obj.name) {
		path = path[1:] // "User.Email" on User means "Email"
	}
	f := &resolvedField{ref: ref}
	cur := e.obj
	for _, seg := range path[:len(path)-1] {
		rel, ok := cur.rels[strings.ToLower(seg)]
		if !ok {
			return nil, invalidField(e.st.src, ref.pos, fmt.Sprintf(
				"Didn't understand relationship '%s' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.", seg))
		}
		f.rels = append(f.rels, rel)
		f.path = append(f.path, rel.name)
		cur = rel.target
	}
	last := path[len(path)-1]
	def, ok := cur.fields[strings.ToLower(last)]
	if !ok {
		return nil, invalidField(e.st.src, ref.pos, fmt.Sprintf(
			"No such column '%s' on entity '%s'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.", last, cur.name))
	}
	f.def = def
	f.path = append(f.path, def.name)
	return f, nil
}

func (e *evaluator) run() (*result, *QueryError) {
	st := e.st
	countAll, aggregate := false, len(st.groupBy) > 0
	for _, s := range st.selects {
		switch s.kind {
		case selCountAll:
			countAll = true
		case selCount:
			aggregate = true
		}
	}
	if countAll && (len(st.selects) > 1 || len(st.groupBy) > 0) {
		return nil, malformed(st.src, st.selects[0].pos, "COUNT() must be the only element in the SELECT list and cannot be used with GROUP BY")
	}

	pred := func(any) bool { return true }
	if st.where != nil {
		var qerr *QueryError
		if pred, qerr = e.compileCond(st.where); qerr != nil {
			return nil, qerr
		}
	}

	switch {
	case countAll:
		if len(st.orderBy) > 0 {
			return nil, malformed(st.src, st.orderBy[0].field.pos, "ORDER BY cannot be used with COUNT()")
		}
		n := 0
		for _, row := range e.obj.rows(e.ds) {
			if pred(row) {
				n++
			}
		}
		n = window(n, st.offset, st.limit)
		return &result{total: n, render: func(buf []byte, _ int, _ string) []byte { return buf }}, nil // no records
	case aggregate:
		return e.runAggregate(pred)
	}
	return e.runRecords(pred)
}

// window applies OFFSET and LIMIT to a count of n rows.
func window(n, offset, limit int) int {
	if offset > 0 {
		n -= offset
	}
	if n < 0 {
		n = 0
	}
	if limit >= 0 && n > limit {
		n = limit
	}
	return n
}

func sliceWindow(rows []any, offset, limit int) []any {
	if offset > 0 {
		if offset >= len(rows) {
			return nil
		}
		rows = rows[offset:]
	}
	if limit >= 0 && len(rows) > limit {
		rows = rows[:limit]
	}
	return rows
}

// column is one output field of a record; columns sharing a relationship
// render inside one nested object.
type column struct {
	field *resolvedField
}

func (e *evaluator) runRecords(pred func(any) bool) (*result, *QueryError) {
	st := e.st
	var cols []column
	seen := map[string]bool{}
	for _, s := range st.selects {
		f, qerr := e.resolve(s.field)
		if qerr != nil {
			return nil, qerr
		}
		key := strings.ToLower(strings.Join(f.path, "."))
		if seen[key] {
			return nil, malformed(st.src, s.pos, "duplicate field selected: "+strings.Join(f.path, "."))
		}
		seen[key] = true
		cols = append(cols, column{field: f})
	}
	less, qerr := e.compileOrder()
	if qerr != nil {
		return nil, qerr
	}
	all := e.obj.rows(e.ds)
	rows := all[:0:0]
	for _, row := range all {
		if pred(row) {
			rows = append(rows, row)
		}
	}
	if less != nil {
		sort.SliceStable(rows, func(i, j int) bool { return less(rows[i], rows[j]) })
	}
	rows = sliceWindow(rows, st.offset, st.limit)
	ds, obj := e.ds, e.obj
	groups := groupColumns(cols)
	return &result{total: len(rows), size: len(rows), render: func(buf []byte, i int, version string) []byte {
		return renderRecord(buf, ds, obj, rows[i], groups, version)
	}}, nil
}

// colGroup is either a direct field (rel == nil) or the fields read through
// one relationship, rendered as a nested object.
type colGroup struct {
	rel    *relDef
	fields []*resolvedField
}

func groupColumns(cols []column) []colGroup {
	var groups []colGroup
	index := map[string]int{}
	for _, c := range cols {
		f := c.field
		if len(f.rels) == 0 {
			groups = append(groups, colGroup{fields: []*resolvedField{f}})
			continue
		}
		name := f.rels[0].name
		if i, ok := index[name]; ok {
			groups[i].fields = append(groups[i].fields, f)
			continue
		}
		index[name] = len(groups)
		groups = append(groups, colGroup{rel: f.rels[0], fields: []*resolvedField{f}})
	}
	return groups
}

func renderRecord(buf []byte, ds *dataset, obj *objectDef, row any, groups []colGroup, version string) []byte {
	buf = append(buf, '{')
	buf = appendAttributes(buf, obj.name, obj.id(row), version)
	for _, g := range groups {
		buf = append(buf, ',')
		if g.rel == nil {
			f := g.fields[0]
			buf = appendJSONString(buf, f.def.name)
			buf = append(buf, ':')
			buf = appendValue(buf, f.def.get(ds, row))
			continue
		}
		buf = appendJSONString(buf, g.rel.name)
		buf = append(buf, ':')
		related := g.rel.get(ds, row)
		if related == nil {
			buf = append(buf, "null"...)
			continue
		}
		// The schema has no relationship on related objects, so every field
		// read through g.rel is one level down.
		inner := make([]colGroup, 0, len(g.fields))
		for _, f := range g.fields {
			inner = append(inner, colGroup{fields: []*resolvedField{{path: f.path[1:], def: f.def}}})
		}
		buf = renderRecord(buf, ds, g.rel.target, related, inner, version)
	}
	return append(buf, '}')
}

// appendAttributes writes the "attributes" member Salesforce puts first in
// every record.
func appendAttributes(buf []byte, typ, id, version string) []byte {
	buf = append(buf, `"attributes":{"type":`...)
	buf = appendJSONString(buf, typ)
	if id != "" {
		buf = append(buf, `,"url":`...)
		buf = appendJSONString(buf, "/services/data/v"+version+"/sobjects/"+typ+"/"+id)
	}
	return append(buf, '}')
}

func appendValue(buf []byte, v any) []byte {
	switch v := v.(type) {
	case nil:
		return append(buf, "null"...)
	case string:
		return appendJSONString(buf, v)
	case bool:
		return strconv.AppendBool(buf, v)
	case int:
		return strconv.AppendInt(buf, int64(v), 10)
	}
	panic(fmt.Sprintf("sforg: cannot render %T", v))
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string. Invalid UTF-8 becomes U+FFFD.
func appendJSONString(buf []byte, s string) []byte {
	buf = append(buf, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				buf = append(buf, '\\', c)
			case c == '\n':
				buf = append(buf, '\\', 'n')
			case c == '\r':
				buf = append(buf, '\\', 'r')
			case c == '\t':
				buf = append(buf, '\\', 't')
			case c < 0x20:
				buf = append(buf, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			default:
				buf = append(buf, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			buf = append(buf, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			buf = append(buf, `\u202`...)
			buf = append(buf, hexDigits[r&0xF])
		default:
			buf = append(buf, s[i:i+size]...)
		}
		i += size
	}
	return append(buf, '"')
}

// aggGroup is one row of an aggregate result.
type aggGroup struct {
	keys   []any // values of the GROUP BY fields
	counts []int // one per COUNT(field) in the SELECT list
}

// runAggregate evaluates COUNT(field) with or without GROUP BY, answering
// AggregateResult records.
func (e *evaluator) runAggregate(pred func(any) bool) (*result, *QueryError) {
	st := e.st
	groupFields := make([]*resolvedField, 0, len(st.groupBy))
	groupIndex := map[string]int{}
	for _, ref := range st.groupBy {
		f, qerr := e.resolve(ref)
		if qerr != nil {
			return nil, qerr
		}
		groupIndex[strings.ToLower(strings.Join(f.path, "."))] = len(groupFields)
		groupFields = append(groupFields, f)
	}

	type outCol struct {
		name  string
		group int // index into keys, or -1
		count int // index into counts, or -1
	}
	var cols []outCol
	var countFields []*resolvedField
	expr := 0
	for _, s := range st.selects {
		f, qerr := e.resolve(s.field)
		if qerr != nil {
			return nil, qerr
		}
		if s.kind == selCount {
			name := s.alias
			if name == "" {
				name = "expr" + strconv.Itoa(expr)
				expr++
			}
			cols = append(cols, outCol{name: name, group: -1, count: len(countFields)})
			countFields = append(countFields, f)
			continue
		}
		gi, ok := groupIndex[strings.ToLower(strings.Join(f.path, "."))]
		if !ok {
			return nil, malformed(st.src, s.pos, "Field must be grouped or aggregated: "+f.def.name)
		}
		cols = append(cols, outCol{name: f.def.name, group: gi, count: -1})
	}

	type orderKey struct {
		group     int
		desc      bool
		nullsLast bool
	}
	var orderKeys []orderKey
	for _, o := range st.orderBy {
		f, qerr := e.resolve(o.field)
		if qerr != nil {
			return nil, qerr
		}
		gi, ok := groupIndex[strings.ToLower(strings.Join(f.path, "."))]
		if !ok {
			return nil, malformed(st.src, o.field.pos, "Ordered field must be grouped or aggregated: "+f.def.name)
		}
		orderKeys = append(orderKeys, orderKey{group: gi, desc: o.desc, nullsLast: o.nullsLast})
	}

	ds := e.ds
	var groups []*aggGroup
	byKey := map[string]*aggGroup{}
	var kb strings.Builder
	for _, row := range e.obj.rows(ds) {
		if !pred(row) {
			continue
		}
		kb.Reset()
		keys := make([]any, len(groupFields))
		for i, f := range groupFields {
			v := f.value(ds, row)
			keys[i] = v
			switch v := v.(type) {
			case nil:
				kb.WriteString("\x00N")
			case bool:
				kb.WriteString("\x00B" + strconv.FormatBool(v))
			case string:
				if f.def.typ == typeString {
					v = foldKey(v)
				}
				kb.WriteString("\x00S" + v)
			}
		}
		g, ok := byKey[kb.String()]
		if !ok {
			g = &aggGroup{keys: keys, counts: make([]int, len(countFields))}
			byKey[kb.String()] = g
			groups = append(groups, g)
		}
		for i, f := range countFields {
			if f.value(ds, row) != nil {
				g.counts[i]++
			}
		}
	}
	if len(groupFields) == 0 && len(groups) == 0 {
		groups = append(groups, &aggGroup{counts: make([]int, len(countFields))})
	}
	if len(orderKeys) > 0 {
		sort.SliceStable(groups, func(i, j int) bool {
			for _, k := range orderKeys {
				typ := groupFields[k.group].def.typ
				if n := orderCompare(typ, groups[i].keys[k.group], groups[j].keys[k.group], k.desc, k.nullsLast); n != 0 {
					return n < 0
				}
			}
			return false
		})
	}
	if st.offset > 0 {
		if st.offset >= len(groups) {
			groups = nil
		} else {
			groups = groups[st.offset:]
		}
	}
	if st.limit >= 0 && len(groups) > st.limit {
		groups = groups[:st.limit]
	}
	return &result{total: len(groups), size: len(groups), render: func(buf []byte, i int, _ string) []byte {
		g := groups[i]
		buf = append(buf, '{')
		buf = appendAttributes(buf, "AggregateResult", "", "")
		for _, c := range cols {
			buf = append(buf, ',')
			buf = appendJSONString(buf, c.name)
			buf = append(buf, ':')
			if c.group >= 0 {
				buf = appendValue(buf, g.keys[c.group])
			} else {
				buf = appendValue(buf, g.counts[c.count])
			}
		}
		return append(buf, '}')
	}}, nil
}
