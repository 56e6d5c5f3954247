package sforg

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// tokenKind classifies a SOQL token.
type tokenKind int

const (
	tokEOF tokenKind = iota
	tokIdent
	tokString
	tokNumber
	tokComma
	tokDot
	tokLParen
	tokRParen
	tokOp
)

// patElem is one element of a LIKE pattern: a literal rune, or a wildcard
// ('%' matches any run of characters, '_' exactly one).
type patElem struct {
	r        rune
	wildcard bool
}

// token is one lexeme of a SOQL statement. Pos is the byte offset of its
// first character in the statement.
type token struct {
	kind tokenKind
	text string // identifier, operator or number as written; string literal as written, quotes included
	pos  int

	// String literals only.
	str        string    // decoded value (\% and \_ decoded to % and _)
	pattern    []patElem // the value as a LIKE pattern
	likeEscape bool      // contains \% or \_, which Salesforce allows in LIKE only
}

// lexer splits a SOQL statement into tokens.
type lexer struct {
	src string
	pos int
}

// lex returns every token of src followed by tokEOF, or a MALFORMED_QUERY
// error at the first character that cannot start a token.
func lex(src string) ([]token, *QueryError) {
	l := &lexer{src: src}
	var toks []token
	for {
		t, err := l.next()
		if err != nil {
			return nil, err
		}
		toks = append(toks, t)
		if t.kind == tokEOF {
			return toks, nil
		}
	}
}

func (l *lexer) next() (token, *QueryError) {
	for l.pos < len(l.src) {
		r, size := utf8.DecodeRuneInString(l.src[l.pos:])
		if !unicode.IsSpace(r) {
			break
		}
		l.pos += size
	}
	if l.pos >= len(l.src) {
		return token{kind: tokEOF, pos: l.pos}, nil
	}
	start := l.pos
	c := l.src[l.pos]
	switch {
	case c == ',':
		l.pos++
		return token{kind: tokComma, text: ",", pos: start}, nil
	case c == '.':
		l.pos++
		return token{kind: tokDot, text: ".", pos: start}, nil
	case c == '(':
		l.pos++
		return token{kind: tokLParen, text: "(", pos: start}, nil
	case c == ')':
		l.pos++
		return token{kind: tokRParen, text: ")", pos: start}, nil
	case c == '=':
		l.pos++
		return token{kind: tokOp, text: "=", pos: start}, nil
	case c == '!':
		if strings.HasPrefix(l.src[l.pos:], "!=") {
			l.pos += 2
			return token{kind: tokOp, text: "!=", pos: start}, nil
		}
	case c == '<':
		for _, op := range []string{"<=", "<>", "<"} {
			if strings.HasPrefix(l.src[l.pos:], op) {
				l.pos += len(op)
				return token{kind: tokOp, text: op, pos: start}, nil
			}
		}
	case c == '>':
		for _, op := range []string{">=", ">"} {
			if strings.HasPrefix(l.src[l.pos:], op) {
				l.pos += len(op)
				return token{kind: tokOp, text: op, pos: start}, nil
			}
		}
	case c == '\'':
		return l.stringLiteral()
	case isDigit(c) || ((c == '-' || c == '+') && l.pos+1 < len(l.src) && isDigit(l.src[l.pos+1])):
		return l.number()
	case isIdentStart(c):
		for l.pos < len(l.src) && isIdentPart(l.src[l.pos]) {
			l.pos++
		}
		return token{kind: tokIdent, text: l.src[start:l.pos], pos: start}, nil
	}
	r, _ := utf8.DecodeRuneInString(l.src[l.pos:])
	return token{}, malformed(l.src, start, fmt.Sprintf("unexpected token: '%c'", r))
}

func (l *lexer) number() (token, *QueryError) {
	start := l.pos
	if c := l.src[l.pos]; c == '-' || c == '+' {
		l.pos++
	}
	digits := 0
	for l.pos < len(l.src) && isDigit(l.src[l.pos]) {
		l.pos++
		digits++
	}
	if l.pos < len(l.src) && l.src[l.pos] == '.' {
		l.pos++
		for l.pos < len(l.src) && isDigit(l.src[l.pos]) {
			l.pos++
			digits++
		}
	}
	text := l.src[start:l.pos]
	if digits == 0 {
		return token{}, malformed(l.src, start, fmt.Sprintf("unexpected token: '%s'", text))
	}
	if l.pos < len(l.src) && isIdentStart(l.src[l.pos]) {
		end := l.pos
		for end < len(l.src) && isIdentPart(l.src[end]) {
			end++
		}
		return token{}, malformed(l.src, start, fmt.Sprintf("unexpected token: '%s'", l.src[start:end]))
	}
	return token{kind: tokNumber, text: text, pos: start}, nil
}

// stringLiteral reads a single-quoted literal, decoding the escape
// sequences SOQL defines: \n \r \t \b \f (either case), \" \' \\, \uXXXX,
// and, for LIKE only, \_ and \%. Any other backslash is an error, as in
// Salesforce.
func (l *lexer) stringLiteral() (token, *QueryError) {
	start := l.pos
	l.pos++ // opening quote
	var val strings.Builder
	var pat []patElem
	likeEscape := false
	lit := func(r rune) {
		val.WriteRune(r)
		pat = append(pat, patElem{r: r})
	}
	for {
		if l.pos >= len(l.src) {
			return token{}, malformed(l.src, start, fmt.Sprintf("unterminated string literal %s", l.src[start:]))
		}
		r, size := utf8.DecodeRuneInString(l.src[l.pos:])
		switch r {
		case '\'':
			l.pos += size
			return token{kind: tokString, text: l.src[start:l.pos], pos: start, str: val.String(), pattern: pat, likeEscape: likeEscape}, nil
		case '%', '_':
			l.pos += size
			val.WriteRune(r)
			pat = append(pat, patElem{r: r, wildcard: true})
		case '\\':
			if l.pos+1 >= len(l.src) {
				return token{}, malformed(l.src, start, fmt.Sprintf("unterminated string literal %s", l.src[start:]))
			}
			e := l.src[l.pos+1]
			l.pos += 2
			switch e {
			case 'n', 'N':
				lit('\n')
			case 'r', 'R':
				lit('\r')
			case 't', 'T':
				lit('\t')
			case 'b', 'B':
				lit('\b')
			case 'f', 'F':
				lit('\f')
			case '"', '\'', '\\':
				lit(rune(e))
			case '%', '_':
				likeEscape = true
				lit(rune(e))
			case 'u':
				if l.pos+4 > len(l.src) {
					return token{}, l.badEscape(start, l.pos-2, len(l.src))
				}
				var r rune
				for _, h := range l.src[l.pos : l.pos+4] {
					switch {
					case h >= '0' && h <= '9':
						r = r<<4 | (h - '0')
					case h >= 'a' && h <= 'f':
						r = r<<4 | (h - 'a' + 10)
					case h >= 'A' && h <= 'F':
						r = r<<4 | (h - 'A' + 10)
					default:
						return token{}, l.badEscape(start, l.pos-2, l.pos+4)
					}
				}
				l.pos += 4
				lit(r)
			default:
				return token{}, l.badEscape(start, l.pos-2, l.pos)
			}
		default:
			l.pos += size
			lit(r)
		}
	}
}

func (l *lexer) badEscape(litStart, escStart, escEnd int) *QueryError {
	end := strings.IndexByte(l.src[escEnd:], '\'')
	litEnd := len(l.src)
	if end >= 0 {
		litEnd = escEnd + end + 1
	}
	return malformed(l.src, litStart, fmt.Sprintf("Invalid string literal %s. Illegal character sequence '%s' in string literal.",
		l.src[litStart:litEnd], l.src[escStart:escEnd]))
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isIdentStart(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func isIdentPart(c byte) bool { return isIdentStart(c) || isDigit(c) }
