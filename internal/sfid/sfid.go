// Package sfid validates and normalises Salesforce record IDs.
//
// Salesforce shows two forms of the same ID: a 15-character, case-sensitive
// form (in the UI and in URLs) and an 18-character, case-insensitive-safe form
// (in the API), whose last three characters are a checksum of the capitalisation
// of the first fifteen. Everything in this project stores the 18-character form;
// Normalize is the one place where an ID entering the system is checked and
// converted, so a user who pastes a 15-character ID gets no perpetual diff.
package sfid

import (
	"crypto/rand"
	"errors"
	"fmt"
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

// ErrInvalid is wrapped by every error Normalize returns.
var ErrInvalid = errors.New("invalid Salesforce ID")

// Normalize checks that id is a well-formed 15- or 18-character Salesforce ID
// and returns its 18-character form. An 18-character ID must carry the checksum
// that matches its first fifteen characters; the comparison of the checksum is
// case-insensitive, as Salesforce's own is.
func Normalize(id string) (string, error) {
	switch len(id) {
	case ShortLen, LongLen:
	default:
		return "", fmt.Errorf("%w %q: it has %d characters, but a Salesforce ID has 15 or 18 (copy it from the record's URL or from the API)", ErrInvalid, id, len(id))
	}
	for i := 0; i < ShortLen; i++ {
		if !strings.ContainsRune(alphanumeric, rune(id[i])) {
			return "", fmt.Errorf("%w %q: character %d (%q) is not a letter or digit", ErrInvalid, id, i+1, id[i])
		}
	}
	long := id[:ShortLen] + checksum(id[:ShortLen])
	if len(id) == LongLen && !strings.EqualFold(id[ShortLen:], long[ShortLen:]) {
		return "", fmt.Errorf("%w %q: its last three characters should be %q for the first fifteen; check for a typo or copy the ID again", ErrInvalid, id, long[ShortLen:])
	}
	return long, nil
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
