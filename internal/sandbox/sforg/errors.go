package sforg

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"
)

// ErrNotFound is wrapped by admin methods when the org, user, profile or
// token they name does not exist.
var ErrNotFound = errors.New("not found")

// ErrInvalid is wrapped by errors about seed or admin input that Salesforce
// would refuse (a missing required field, a malformed ID).
var ErrInvalid = errors.New("invalid input")

// ErrConflict is wrapped by errors about input that clashes with existing
// data (a username taken anywhere in Salesforce, a duplicate ID or profile
// name).
var ErrConflict = errors.New("conflict")

// Salesforce REST error codes the simulated org answers with.
const (
	CodeInvalidSessionID        = "INVALID_SESSION_ID"
	CodeMalformedQuery          = "MALFORMED_QUERY"
	CodeInvalidField            = "INVALID_FIELD"
	CodeInvalidType             = "INVALID_TYPE"
	CodeInvalidQueryFilter      = "INVALID_QUERY_FILTER_OPERATOR"
	CodeInvalidQueryLocator     = "INVALID_QUERY_LOCATOR"
	CodeNumberOutsideValidRange = "NUMBER_OUTSIDE_VALID_RANGE"
	CodeNotFound                = "NOT_FOUND"
	CodeMethodNotAllowed        = "METHOD_NOT_ALLOWED"
)

// QueryError is a SOQL statement Salesforce would refuse, with the error
// code and message Salesforce would answer (HTTP 400).
type QueryError struct {
	Code    string
	Message string
}

// Error returns "CODE: message".
func (e *QueryError) Error() string { return e.Code + ": " + e.Message }

// Status returns the HTTP status Salesforce answers the error with.
func (e *QueryError) Status() int { return http.StatusBadRequest }

// positioned renders a message the way Salesforce's query parser does: the
// offending row of the statement, a caret under the column, the row and
// column numbers, then the detail.
func positioned(src string, pos int, detail string) string {
	if pos > len(src) {
		pos = len(src)
	}
	row, lineStart := 1, 0
	for i := 0; i < pos; i++ {
		if src[i] == '\n' {
			row++
			lineStart = i + 1
		}
	}
	lineEnd := strings.IndexByte(src[lineStart:], '\n')
	line := src[lineStart:]
	if lineEnd >= 0 {
		line = src[lineStart : lineStart+lineEnd]
	}
	col := utf8.RuneCountInString(src[lineStart:pos]) + 1
	return fmt.Sprintf("\n%s\n%s^\nERROR at Row:%d:Column:%d\n%s", line, strings.Repeat(" ", col-1), row, col, detail)
}

func malformed(src string, pos int, detail string) *QueryError {
	return &QueryError{Code: CodeMalformedQuery, Message: positioned(src, pos, detail)}
}

func invalidField(src string, pos int, detail string) *QueryError {
	return &QueryError{Code: CodeInvalidField, Message: positioned(src, pos, detail)}
}

func invalidFilter(src string, pos int, detail string) *QueryError {
	return &QueryError{Code: CodeInvalidQueryFilter, Message: positioned(src, pos, detail)}
}
