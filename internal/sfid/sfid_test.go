package sfid

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestNormalize(t *testing.T) {
	cases := map[string]struct {
		in      string
		want    string
		wantErr string
	}{
		"15 to 18 account":       {in: "001A0000006Vm9r", want: "001A0000006Vm9rIAC"},
		"15 to 18 contact":       {in: "003D000000QOXpq", want: "003D000000QOXpqIAH"},
		"18 unchanged":           {in: "001A0000006Vm9rIAC", want: "001A0000006Vm9rIAC"},
		"18 lower-case checksum": {in: "001A0000006Vm9riac", want: "001A0000006Vm9rIAC"},
		"wrong checksum":         {in: "001A0000006Vm9rAAA", wantErr: `should be "IAC"`},
		"too short":              {in: "001A0000", wantErr: "has 8 characters"},
		"empty":                  {in: "", wantErr: "has 0 characters"},
		"bad character":          {in: "001A0000006Vm-r", wantErr: "character 14"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := Normalize(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !errors.Is(err, ErrInvalid) {
					t.Fatalf("Normalize(%q) error = %v, want one containing %q", tc.in, err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("Normalize(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestErrorFormat(t *testing.T) {
	cases := map[string]struct {
		err  *Error
		want string
	}{
		"no field":   {&Error{ID: "x", Reason: "it is bad"}, `invalid Salesforce ID "x": it is bad`},
		"with field": {&Error{Field: "users[2].id", ID: "x", Reason: "it is bad"}, `users[2].id: invalid Salesforce ID "x": it is bad`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := tc.err.Error(); got != tc.want {
				t.Errorf("Error() = %q, want %q", got, tc.want)
			}
			if !errors.Is(tc.err, ErrInvalid) || errors.Is(tc.err, ErrWrongKind) {
				t.Errorf("%v: want ErrInvalid and not ErrWrongKind", tc.err)
			}
		})
	}
}

func TestKindNormalize(t *testing.T) {
	const (
		user15    = "005A0000006Vm9r"
		user18    = "005A0000006Vm9rIAC"
		profile18 = "00eA0000006Vm9rIAC"
		role18    = "00EA0000006Vm9rMAC"
		group15   = "00GA0000006Vm9r"
		group18   = "00GA0000006Vm9rMAC"
		member18  = "011A0000006Vm9rIAC"
	)
	cases := map[string]struct {
		kind      Kind
		in        string
		want      string
		wantErr   string
		wrongKind bool
	}{
		"user 15 to 18":          {kind: User, in: user15, want: user18},
		"user 18":                {kind: User, in: user18, want: user18},
		"any kind":               {kind: Any, in: profile18, want: profile18},
		"profile for user":       {kind: User, in: profile18, wantErr: `it starts with "00e", but user IDs start with "005"`, wrongKind: true},
		"role is not a profile":  {kind: Profile, in: role18, wantErr: `it starts with "00E", but profile IDs start with "00e"`, wrongKind: true},
		"profile is not a role":  {kind: UserRole, in: profile18, wantErr: `but role IDs start with "00E"`, wrongKind: true},
		"unnamed kind":           {kind: Kind{Prefix: "00D"}, in: user18, wantErr: `but record IDs start with "00D"`, wrongKind: true},
		"group 15 to 18":         {kind: Group, in: group15, want: group18},
		"group member":           {kind: GroupMember, in: member18, want: member18},
		"user is not a group":    {kind: Group, in: user18, wantErr: `it starts with "005", but group IDs start with "00G"`, wrongKind: true},
		"role is not a group":    {kind: Group, in: role18, wantErr: `it starts with "00E", but group IDs start with "00G"`, wrongKind: true},
		"group is not a member":  {kind: GroupMember, in: group18, wantErr: `but group member IDs start with "011"`, wrongKind: true},
		"an organization":        {kind: Organization, in: user18, wantErr: `it starts with "005", but organization IDs start with "00D"`, wrongKind: true},
		"malformed before kind":  {kind: User, in: "005", wantErr: "has 3 characters"},
		"bad checksum of a user": {kind: User, in: user15 + "AAA", wantErr: `should be "IAC"`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := tc.kind.Normalize(tc.in)
			if tc.wantErr == "" {
				if err != nil || got != tc.want {
					t.Fatalf("%+v.Normalize(%q) = %q, %v; want %q", tc.kind, tc.in, got, err, tc.want)
				}
				return
			}
			var e *Error
			if got != "" || !errors.As(err, &e) || !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("%+v.Normalize(%q) = %q, %v; want an *Error containing %q", tc.kind, tc.in, got, err, tc.wantErr)
			}
			if e.ID != tc.in || e.Field != "" || errors.Is(err, ErrWrongKind) != tc.wrongKind {
				t.Fatalf("error %+v: want ID %q, no field, ErrWrongKind %t", e, tc.in, tc.wrongKind)
			}
		})
	}
}

func TestNormalizeFieldAndList(t *testing.T) {
	const (
		p15 = "00eA0000006Vm9r"
		p18 = "00eA0000006Vm9rIAC"
	)
	t.Run("field", func(t *testing.T) {
		cases := map[string]struct {
			kind    Kind
			in      string
			want    string
			wantErr string
		}{
			"valid":      {kind: Profile, in: p15, want: p18},
			"malformed":  {kind: Any, in: "nope", wantErr: `crm_profile_id: invalid Salesforce ID "nope": it has 4 characters`},
			"wrong kind": {kind: User, in: p18, wantErr: `crm_profile_id: invalid Salesforce ID "` + p18 + `": it starts with "00e", but user IDs start with "005"`},
			"empty":      {kind: Any, in: "", wantErr: `crm_profile_id: invalid Salesforce ID "": it has 0 characters`},
		}
		for name, tc := range cases {
			t.Run(name, func(t *testing.T) {
				got, err := tc.kind.NormalizeField("crm_profile_id", tc.in)
				if tc.wantErr == "" {
					if err != nil || got != tc.want {
						t.Fatalf("NormalizeField(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
					}
					return
				}
				var e *Error
				if got != "" || !errors.As(err, &e) || e.Field != "crm_profile_id" || !strings.HasPrefix(err.Error(), tc.wantErr) {
					t.Fatalf("NormalizeField(%q) = %q, %v; want an error starting %q", tc.in, got, err, tc.wantErr)
				}
			})
		}
	})
	t.Run("list", func(t *testing.T) {
		cases := map[string]struct {
			in      []string
			want    []string
			wantErr string
		}{
			"nil":            {in: nil, want: []string{}},
			"all valid":      {in: []string{p15, p18}, want: []string{p18, p18}},
			"second invalid": {in: []string{p15, "x"}, wantErr: `ProfileIDs[1]: invalid Salesforce ID "x"`},
			"wrong kind":     {in: []string{"005A0000006Vm9r"}, wantErr: `ProfileIDs[0]: invalid Salesforce ID "005A0000006Vm9r": it starts with "005", but profile IDs start with "00e"`},
		}
		for name, tc := range cases {
			t.Run(name, func(t *testing.T) {
				got, err := Profile.NormalizeList("ProfileIDs", tc.in)
				if tc.wantErr == "" {
					if err != nil || !slices.Equal(got, tc.want) || got == nil {
						t.Fatalf("NormalizeList(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
					}
					return
				}
				if got != nil || !errors.Is(err, ErrInvalid) || !strings.HasPrefix(err.Error(), tc.wantErr) {
					t.Fatalf("NormalizeList(%q) = %q, %v; want an error starting %q", tc.in, got, err, tc.wantErr)
				}
			})
		}
	})
}

func TestNewAndFromSeqAreValid(t *testing.T) {
	for i := 0; i < 100; i++ {
		id := New("005")
		if !Valid(id) || len(id) != LongLen || !strings.HasPrefix(id, "005") {
			t.Fatalf("New produced invalid ID %q", id)
		}
	}
	a := FromSeq("005", "Hx", 42)
	if !Valid(a) || a != FromSeq("005", "Hx", 42) || !Equal(a, a[:ShortLen]) {
		t.Fatalf("FromSeq produced %q, not valid and deterministic", a)
	}
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"001A0000006Vm9r", "001A0000006Vm9rIAC", "", "005xx000001Sv6mAAC", "zzzzzzzzzzzzzzzzzz"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, err := Normalize(in)
		if err != nil {
			var e *Error
			if !errors.Is(err, ErrInvalid) || !errors.As(err, &e) || e.ID != in || e.Reason == "" {
				t.Fatalf("error %v is not an *Error for %q that wraps ErrInvalid", err, in)
			}
			return
		}
		if len(got) != LongLen || got[:ShortLen] != in[:ShortLen] {
			t.Fatalf("Normalize(%q) = %q", in, got)
		}
		if strings.Trim(got[ShortLen:], suffixChars) != "" {
			t.Fatalf("Normalize(%q) = %q: the checksum has characters outside %q", in, got, suffixChars)
		}
		if len(in) == LongLen && !strings.EqualFold(in, got) {
			t.Fatalf("Normalize(%q) = %q: an 18-character ID may only change the case of its checksum", in, got)
		}
		again, err := Normalize(got)
		if err != nil || again != got {
			t.Fatalf("Normalize is not idempotent: %q -> %q (%v)", got, again, err)
		}
	})
}
