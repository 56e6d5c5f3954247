package salesforce

import (
	"strings"
	"testing"
)

func TestQuoting(t *testing.T) {
	cases := map[string]struct {
		in        string
		wantQuote string
		wantLike  string
	}{
		"plain":           {"jane@acme.com", `'jane@acme.com'`, `'jane@acme.com'`},
		"quote":           {"o'brien", `'o\'brien'`, `'o\'brien'`},
		"backslash":       {`a\b`, `'a\\b'`, `'a\\b'`},
		"backslash+quote": {`\'`, `'\\\''`, `'\\\''`},
		"injection":       {`' OR Name LIKE '%`, `'\' OR Name LIKE \'%'`, `'\' OR Name LIKE \'\%'`},
		"wildcards":       {"50%_off", `'50%_off'`, `'50\%\_off'`},
		"control chars":   {"a\nb\rc\td\be\ff", `'a\nb\rc\td\be\ff'`, `'a\nb\rc\td\be\ff'`},
		"other control":   {"a\x00b\x1fc\x7f", `'a\u0000b\u001fc\u007f'`, `'a\u0000b\u001fc\u007f'`},
		"double quote":    {`say "hi"`, `'say "hi"'`, `'say "hi"'`},
		"unicode":         {"Zoë 日本", `'Zoë 日本'`, `'Zoë 日本'`},
		"empty":           {"", `''`, `''`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := QuoteString(tc.in); got != tc.wantQuote {
				t.Errorf("QuoteString(%q) = %s, want %s", tc.in, got, tc.wantQuote)
			}
			if got := QuoteLike(tc.in); got != tc.wantLike {
				t.Errorf("QuoteLike(%q) = %s, want %s", tc.in, got, tc.wantLike)
			}
		})
	}
	if got := LikePattern("%@", "a_b.com", ""); got != `'%@a\_b.com'` {
		t.Errorf("LikePattern = %s", got)
	}
}

func TestUserStatement(t *testing.T) {
	yes := true
	p, err := UserQuery{
		Active: &yes, ProfileIDs: []string{"00e000000000002"}, ProfileNames: []string{"Sales Rep"}, GroupIDs: []string{"00G000000000001", "00G000000000002EAA"},
		EmailDomain: "@acme.com", Search: "o'b", AfterID: "005000000000001", ExcludeIDs: []string{"005000000000009"}, Limit: 10,
	}.plan()
	if err != nil {
		t.Fatal(err)
	}
	want := "SELECT " + userFields + " FROM User WHERE IsActive = true AND ProfileId IN ('00e000000000002AAA') AND Profile.Name IN ('Sales Rep')" +
		" AND Id IN (SELECT UserOrGroupId FROM GroupMember WHERE GroupId IN ('00G000000000001EAA','00G000000000002EAA'))" +
		` AND Email LIKE '%@acme.com' AND (Username LIKE '%o\'b%' OR Email LIKE '%o\'b%' OR Name LIKE '%o\'b%')` +
		" AND Id NOT IN ('005000000000009AAA') AND Id > '005000000000001AAA' ORDER BY Id LIMIT 10"
	if got := p.statement(nil, p.afterID); got != want {
		t.Fatalf("statement\n%s\nwant\n%s", got, want)
	}
	if got := p.statement([]string{"005000000000002AAA"}, ""); !strings.Contains(got, " AND Id IN ('005000000000002AAA') ORDER BY Id") {
		t.Fatalf("chunk statement %s", got)
	}
}
