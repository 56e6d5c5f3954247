package client

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// redacted replaces every secret the redactor removes.
const redacted = "[REDACTED]"

// sensitiveKeys are JSON member and form field names whose values are
// secrets. Matching is case-insensitive.
var sensitiveKeys = []string{
	"access_token", "refresh_token", "id_token", "client_secret", "jwt_private_key",
	"private_key", "assertion", "client_assertion", "password", "admin_token",
}

// sensitiveHeaders are header names whose values are secrets.
var sensitiveHeaders = []string{"Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie", "X-Api-Key"}

// SensitiveKeys returns every field and header name whose value the client
// treats as a secret, each in its canonical and its lower-case spelling. It
// is the one list of secret names in the project: the provider masks the same
// keys in its logs, so the two can never drift apart.
func SensitiveKeys() []string {
	var keys []string
	for _, k := range slices.Concat(sensitiveKeys, sensitiveHeaders) {
		keys = append(keys, k)
		if l := strings.ToLower(k); l != k {
			keys = append(keys, l)
		}
	}
	return keys
}

var (
	keyAlternation = "(?:" + strings.Join(sensitiveKeys, "|") + ")"
	// pemBlock matches a PEM block, including one cut off before its END
	// line and one whose newlines are JSON-escaped.
	pemBlock = regexp.MustCompile(`-----BEGIN [A-Z0-9 ]+-----(?s:.*?)(?:-----END [A-Z0-9 ]+-----|$)`)
	// jsonMember matches a sensitive JSON string member, including a value
	// cut off before its closing quote.
	jsonMember = regexp.MustCompile(`(?i)("` + keyAlternation + `"\s*:\s*)"(?:[^"\\]|\\.)*(?:"|\\?$)`)
	// formField matches a sensitive form or query field.
	formField = regexp.MustCompile(`(?i)((?:^|[&?;\s])` + keyAlternation + `=)[^&\s;]*`)
	// authScheme matches credentials after an HTTP auth scheme.
	authScheme = regexp.MustCompile(`\b(Bearer|Basic|bearer)\s+[A-Za-z0-9._~+/-]{8,}=*`)
)

// redactor removes secrets from text that is about to be logged or put into
// an error message.
type redactor struct {
	// literals are known secret values (the client secret) removed wherever
	// they appear.
	literals []string
}

func newRedactor(literals ...string) *redactor {
	r := &redactor{}
	for _, l := range literals {
		// Very short values would blank out unrelated text; they are still
		// covered by the structural rules.
		if len(l) >= 6 {
			r.literals = append(r.literals, l)
		}
	}
	return r
}

func isSensitiveKey(k string) bool {
	return slices.ContainsFunc(sensitiveKeys, func(s string) bool { return strings.EqualFold(s, k) })
}

// headers renders h with sensitive values redacted, one "Name: value" per
// header, sorted by name.
func (r *redactor) headers(h http.Header) string {
	names := make([]string, 0, len(h))
	for name := range h {
		names = append(names, name)
	}
	slices.Sort(names)
	var b strings.Builder
	for _, name := range names {
		for _, v := range h[name] {
			if b.Len() > 0 {
				b.WriteString("\n")
			}
			b.WriteString(name)
			b.WriteString(": ")
			if slices.ContainsFunc(sensitiveHeaders, func(s string) bool { return strings.EqualFold(s, name) }) {
				if scheme, _, ok := strings.Cut(v, " "); ok && len(scheme) < 20 {
					b.WriteString(scheme + " ")
				}
				b.WriteString(redacted)
				continue
			}
			b.WriteString(r.text(v))
		}
	}
	return b.String()
}

// body returns body with sensitive JSON members, form fields and PEM blocks
// redacted. It understands JSON and form bodies and falls back to pattern
// matching for anything else, including truncated JSON.
func (r *redactor) body(contentType string, body []byte) string {
	if len(body) == 0 {
		return ""
	}
	mt := mediaType(contentType)
	switch {
	case mt == "application/json" || strings.HasSuffix(mt, "+json") || (mt == "" && json.Valid(body)):
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err == nil && !dec.More() {
			if out, err := json.Marshal(redactJSON(v)); err == nil {
				return r.text(string(out))
			}
		}
	case mt == "application/x-www-form-urlencoded":
		if values, err := url.ParseQuery(string(body)); err == nil {
			for k := range values {
				if isSensitiveKey(k) {
					values[k] = []string{redacted}
				}
			}
			return r.text(values.Encode())
		}
	}
	return r.text(string(body))
}

// redactJSON replaces the values of sensitive members anywhere in v.
func redactJSON(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, child := range t {
			if isSensitiveKey(k) {
				t[k] = redacted
				continue
			}
			t[k] = redactJSON(child)
		}
	case []any:
		for i, child := range t {
			t[i] = redactJSON(child)
		}
	}
	return v
}

// text redacts secrets in free text by pattern: PEM blocks, JSON members and
// form fields with sensitive names, credentials after Bearer/Basic, and the
// known secret literals.
func (r *redactor) text(s string) string {
	s = pemBlock.ReplaceAllString(s, "[REDACTED PEM BLOCK]")
	s = jsonMember.ReplaceAllString(s, `$1"`+redacted+`"`)
	s = formField.ReplaceAllString(s, "${1}"+redacted)
	s = authScheme.ReplaceAllString(s, "$1 "+redacted)
	for _, l := range r.literals {
		s = strings.ReplaceAll(s, l, redacted)
		if esc := url.QueryEscape(l); esc != l {
			s = strings.ReplaceAll(s, esc, redacted)
		}
	}
	return s
}
