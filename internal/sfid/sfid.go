// Package sfid validates and normalises Salesforce record IDs.
//
// Salesforce shows two forms of the same ID: a 15-character, case-sensitive
// form (in the UI and in URLs) and an 18-character, case-insensitive-safe form
// (in the API), whose last three characters are a checksum of the capitalisation
// of the first fifteen. Everything in this project stores the 18-character form;
// this package is the one place where an ID entering the system is checked and
// converted (Normalize, or a Kind's methods to check the key prefix too and
// name the field), so a user who pastes a 15-character ID gets no perpetual
// diff and every layer refuses a bad ID with the same words.
package sfid

import (
	"crypto/rand"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

const (
	// ShortLen is the length of the case-sensitive form shown in the Salesforce UI.
	ShortLen = 15
	// LongLen is the length of the checksummed form returned by the Salesforce API.
	LongLen = 18

	alphanumeric = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	suffixChars  = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
)

// ErrInvalid is wrapped by every error the package returns.
var ErrInvalid = errors.New("invalid Salesforce ID")

// ErrWrongKind is wrapped, besides ErrInvalid, by the error for a
// well-formed ID whose key prefix is not the one of the expected Kind.
var ErrWrongKind = errors.New("wrong kind of Salesforce ID")

// Error is the one error the package returns for an ID it refuses. Its
// message is "[Field: ]invalid Salesforce ID "ID": Reason", so every layer
// names the offending field the same way.
type Error struct {
	// Field names where the ID came from: an attribute, a query option or
	// a list element such as "ProfileIDs[2]". Empty when the caller named
	// none (it may then name the field itself).
	Field string
	// ID is the value as given.
	ID string
	// Reason says what is wrong with it and how to fix it.
	Reason string

	wrongKind bool
}

func (e *Error) Error() string {
	msg := fmt.Sprintf("%s %q: %s", ErrInvalid, e.ID, e.Reason)
	if e.Field != "" {
		return e.Field + ": " + msg
	}
	return msg
}

// Is makes every Error match ErrInvalid, and one for an ID of another kind
// also ErrWrongKind.
func (e *Error) Is(target error) bool {
	return target == ErrInvalid || (target == ErrWrongKind && e.wrongKind)
}

// Normalize checks that id is a well-formed 15- or 18-character Salesforce ID
// and returns its 18-character form. An 18-character ID must carry the checksum
// that matches its first fifteen characters; the comparison of the checksum is
// case-insensitive, as Salesforce's own is. The error is an *Error.
func Normalize(id string) (string, error) {
	switch len(id) {
	case ShortLen, LongLen:
	default:
		return "", &Error{ID: id, Reason: fmt.Sprintf("it has %d characters, but a Salesforce ID has 15 or 18 (copy it from the record's URL or from the API)", len(id))}
	}
	for i := 0; i < ShortLen; i++ {
		if !strings.ContainsRune(alphanumeric, rune(id[i])) {
			return "", &Error{ID: id, Reason: fmt.Sprintf("character %d (%q) is not a letter or digit", i+1, id[i])}
		}
	}
	long := id[:ShortLen] + checksum(id[:ShortLen])
	if len(id) == LongLen && !strings.EqualFold(id[ShortLen:], long[ShortLen:]) {
		return "", &Error{ID: id, Reason: fmt.Sprintf("its last three characters should be %q for the first fifteen; check for a typo or copy the ID again", long[ShortLen:])}
	}
	return long, nil
}

// Kind is a type of record as its IDs show it: every ID of the type starts
// with the type's key prefix. The Kind methods check the prefix as well as
// the form, so a profile ID given where a user ID belongs is refused at the
// edge rather than found missing later.
type Kind struct {
	// Prefix is the key prefix, such as "005"; it is case-sensitive, as
	// the first fifteen characters of an ID are ("00e" is a profile, "00E"
	// a role). Empty (Any) accepts every type.
	Prefix string
	// Name names the type in messages ("user").
	Name string
}

// The kinds of record this project handles.
var (
	Any          = Kind{}
	Organization = Kind{Prefix: "00D", Name: "organization"}
	User         = Kind{Prefix: "005", Name: "user"}
	Profile      = Kind{Prefix: "00e", Name: "profile"}
	UserRole     = Kind{Prefix: "00E", Name: "role"}
	Group        = Kind{Prefix: "00G", Name: "group"}
	GroupMember  = Kind{Prefix: "011", Name: "group member"}
	QueryLocator = Kind{Prefix: "01g", Name: "query locator"}
)

// Normalize is the package's Normalize that also checks the key prefix;
// for an ID of another kind the error also wraps ErrWrongKind.
func (k Kind) Normalize(id string) (string, error) {
	n, err := Normalize(id)
	if err != nil {
		return "", err
	}
	if !strings.HasPrefix(n, k.Prefix) {
		name := k.Name
		if name == "" {
			name = "record"
		}
		return "", &Error{ID: id, wrongKind: true,
			Reason: fmt.Sprintf("it starts with %q, but %s IDs start with %q; copy the ID of the right record", n[:min(len(k.Prefix), len(n))], name, k.Prefix)}
	}
	return n, nil
}

// NormalizeField is Normalize for the value of a named field: the error
// names it.
func (k Kind) NormalizeField(field, id string) (string, error) {
	n, err := k.Normalize(id)
	if err == nil {
		return n, nil
	}
	if e := (*Error)(nil); errors.As(err, &e) {
		named := *e
		named.Field = field
		err = &named
	}
	return "", err
}

// NormalizeList normalizes every ID of a list field; the error names the
// first offending element as field[i].
func (k Kind) NormalizeList(field string, ids []string) ([]string, error) {
	out := make([]string, 0, len(ids))
	for i, id := range ids {
		n, err := k.NormalizeField(field+"["+strconv.Itoa(i)+"]", id)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}

// Valid reports whether id is a well-formed 15- or 18-character Salesforce ID.
func Valid(id string) bool {
	_, err := Normalize(id)
	return err == nil
}

// Equal reports whether a and b name the same record, whichever form each is in.
func Equal(a, b string) bool {
	na, errA := Normalize(a)
	nb, errB := Normalize(b)
	return errA == nil && errB == nil && na == nb
}

// checksum computes the three-character suffix for a 15-character ID: each
// five-character chunk contributes one character whose bits mark which of the
// chunk's characters are upper-case letters.
func checksum(short string) string {
	var b strings.Builder
	for chunk := 0; chunk < 3; chunk++ {
		n := 0
		for i := 0; i < 5; i++ {
			c := short[chunk*5+i]
			if c >= 'A' && c <= 'Z' {
				n |= 1 << i
			}
		}
		b.WriteByte(suffixChars[n])
	}
	return b.String()
}

// New returns a fresh 18-character ID whose first three characters are the
// given key prefix (for example "005" for User, "00e" for Profile, "00D" for
// Organization), as a Salesforce org would mint it.
func New(prefix string) string {
	if len(prefix) != 3 {
		panic("sfid: key prefix must have 3 characters")
	}
	buf := make([]byte, ShortLen-3)
	if _, err := rand.Read(buf); err != nil {
		panic(err)
	}
	for i := range buf {
		buf[i] = alphanumeric[int(buf[i])%len(alphanumeric)]
	}
	short := prefix + string(buf)
	return short + checksum(short)
}

// FromSeq returns a deterministic 18-character ID built from a key prefix, a
// pod identifier and a sequence number, for fixtures that must mint the same
// IDs on every run.
func FromSeq(prefix, pod string, seq int) string {
	short := fmt.Sprintf("%s%s%0*d", prefix, pod, ShortLen-len(prefix)-len(pod), seq)
	if len(short) != ShortLen {
		panic(fmt.Sprintf("sfid: prefix %q, pod %q and sequence %d do not fit in 15 characters", prefix, pod, seq))
	}
	return short + checksum(short)
}
