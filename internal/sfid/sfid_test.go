package sfid

import (
	"errors"
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
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %v does not wrap ErrInvalid", err)
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
