package salesforce

import (
	"fmt"
	"strings"
)

// QuoteString returns s as a SOQL string literal, quotes included, with
// the characters SOQL reserves escaped (backslash, single quote) and
// control characters written as escape sequences. The result can be
// spliced into a statement without changing its structure.
func QuoteString(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('\'')
	writeEscaped(&b, s, false)
	b.WriteByte('\'')
	return b.String()
}

// QuoteLike returns s as a SOQL string literal for a LIKE pattern that
// matches s literally: besides QuoteString's escapes, the wildcards % and
// _ are escaped. Callers add their own unescaped wildcards around it with
// LikePattern.
func QuoteLike(s string) string {
	return LikePattern("", s, "")
}

// LikePattern returns a SOQL LIKE literal made of prefix, s matched
// literally, and suffix; prefix and suffix are written as given, so they
// may carry wildcards ("%", "_") but must not carry quotes or backslashes.
func LikePattern(prefix, s, suffix string) string {
	var b strings.Builder
	b.Grow(len(prefix) + len(s) + len(suffix) + 2)
	b.WriteByte('\'')
	b.WriteString(prefix)
	writeEscaped(&b, s, true)
	b.WriteString(suffix)
	b.WriteByte('\'')
	return b.String()
}

func writeEscaped(b *strings.Builder, s string, like bool) {
	for _, r := range s {
		switch r {
		case '\\':
			b.WriteString(`\\`)
		case '\'':
			b.WriteString(`\'`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		case '%', '_':
			if like {
				b.WriteByte('\\')
			}
			b.WriteRune(r)
		default:
			if r < 0x20 || r == 0x7f {
				fmt.Fprintf(b, `\u%04x`, r)
				continue
			}
			b.WriteRune(r)
		}
	}
}

// quoteList returns "('a','b')" for an IN clause.
func quoteList(values []string) string {
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = QuoteString(v)
	}
	return "(" + strings.Join(quoted, ",") + ")"
}
