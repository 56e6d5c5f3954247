package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/salesseat/terraform-provider-salesseat/internal/client"
)

func TestSeatLedgerReserve(t *testing.T) {
	cases := map[string]struct {
		limit, used int
		keys        []string
		wantOK      []bool
		wantFirst   []bool // nil: none is the first shortage
		wantPlanned int
	}{
		"fits": {
			limit: 5, used: 3, keys: []string{"a", "b"},
			wantOK: []bool{true, true}, wantPlanned: 2,
		},
		"third does not fit, fourth only warns": {
			limit: 5, used: 3, keys: []string{"a", "b", "c", "d"},
			wantOK: []bool{true, true, false, false}, wantFirst: []bool{false, false, true, false}, wantPlanned: 4,
		},
		"same instance planned twice reserves once": {
			limit: 4, used: 3, keys: []string{"a", "a", "a"},
			wantOK: []bool{true, true, true}, wantPlanned: 1,
		},
		"a fitting instance planned again after the shortage still fits": {
			limit: 4, used: 3, keys: []string{"a", "b", "a"},
			wantOK: []bool{true, false, true}, wantFirst: []bool{false, true, false}, wantPlanned: 2,
		},
		"the first shortage planned again is the error again": {
			limit: 3, used: 3, keys: []string{"a", "b", "a", "b"},
			wantOK: []bool{false, false, false, false}, wantFirst: []bool{true, false, true, false}, wantPlanned: 2,
		},
		"no free seat": {
			limit: 3, used: 3, keys: []string{"a"},
			wantOK: []bool{false}, wantFirst: []bool{true}, wantPlanned: 1,
		},
		"over the limit already": {
			limit: 2, used: 5, keys: []string{"a"},
			wantOK: []bool{false}, wantFirst: []bool{true}, wantPlanned: 1,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var reads atomic.Int32
			read := func(context.Context) (*client.Account, error) {
				reads.Add(1)
				return &client.Account{SeatLimit: tc.limit, SeatsUsed: tc.used}, nil
			}
			l := newSeatLedger()
			var last seatCheck
			for i, k := range tc.keys {
				check, err := l.reserve(context.Background(), k, "name", read)
				if err != nil {
					t.Fatal(err)
				}
				if check.OK != tc.wantOK[i] {
					t.Errorf("reservation %d (%s): OK = %t, want %t", i, k, check.OK, tc.wantOK[i])
				}
				if wantFirst := tc.wantFirst != nil && tc.wantFirst[i]; check.First != wantFirst {
					t.Errorf("reservation %d (%s): First = %t, want %t", i, k, check.First, wantFirst)
				}
				last = check
			}
			if last.Planned != tc.wantPlanned || last.Limit != tc.limit || last.Used != tc.used {
				t.Errorf("last check = %+v, want planned %d, limit %d, used %d", last, tc.wantPlanned, tc.limit, tc.used)
			}
			if reads.Load() != 1 {
				t.Errorf("account read %d times, want once per ledger", reads.Load())
			}
		})
	}
}

// TestSeatLedgerSnapshotIsNotReRead shows why the apply walk stays
// consistent with the plan: seats taken by earlier creates are not counted
// again, because the snapshot is the one taken on first use.
func TestSeatLedgerSnapshotIsNotReRead(t *testing.T) {
	used := 1
	read := func(context.Context) (*client.Account, error) {
		return &client.Account{SeatLimit: 3, SeatsUsed: used}, nil
	}
	l := newSeatLedger()
	for i, k := range []string{"a", "b"} {
		check, err := l.reserve(context.Background(), k, "name", read)
		if err != nil || !check.OK {
			t.Fatalf("reservation %d: %+v, %v", i, check, err)
		}
		used++ // the apply created the user
	}
}

func TestSeatLedgerRelease(t *testing.T) {
	read := func(context.Context) (*client.Account, error) {
		return &client.Account{SeatLimit: 2, SeatsUsed: 2}, nil
	}
	// Releases are sales user IDs; a leading "!" marks a planned one (a
	// replacement), the others are deletions this process performed.
	cases := map[string]struct {
		before, after []string // released before / after the snapshot is taken
		wantUsed      int
	}{
		"nothing released":               {wantUsed: 2},
		"deleted before the snapshot":    {before: []string{"su_1"}, wantUsed: 2},
		"deleted after the snapshot":     {after: []string{"su_1"}, wantUsed: 1},
		"replacement planned before":     {before: []string{"!su_1"}, wantUsed: 1},
		"same user released thrice":      {before: []string{"!su_1"}, after: []string{"su_1", "!su_1"}, wantUsed: 1},
		"two users":                      {after: []string{"su_1", "su_2"}, wantUsed: 0},
		"released beyond the used seats": {after: []string{"su_1", "su_2", "su_3"}, wantUsed: 0},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			l := newSeatLedger()
			releaseAll(l, tc.before)
			if _, err := l.reserve(context.Background(), "first", "name", read); err != nil {
				t.Fatal(err)
			}
			releaseAll(l, tc.after)
			check, err := l.reserve(context.Background(), "second", "name", read)
			if err != nil {
				t.Fatal(err)
			}
			if check.Used != tc.wantUsed || check.Free != 2-tc.wantUsed {
				t.Errorf("check = %+v, want %d used and %d free", check, tc.wantUsed, 2-tc.wantUsed)
			}
			if wantOK := tc.wantUsed+2 <= 2; check.OK != wantOK {
				t.Errorf("two reservations with %d used: OK = %t, want %t", tc.wantUsed, check.OK, wantOK)
			}
		})
	}
}

func releaseAll(l *seatLedger, ids []string) {
	for _, id := range ids {
		l.release(strings.TrimPrefix(id, "!"), strings.HasPrefix(id, "!"))
	}
}

func TestSeatLedgerReadError(t *testing.T) {
	boom := errors.New("boom")
	l := newSeatLedger()
	if _, err := l.reserve(context.Background(), "a", "name", func(context.Context) (*client.Account, error) { return nil, boom }); !errors.Is(err, boom) {
		t.Fatalf("err = %v, want %v", err, boom)
	}
	// A failed read is retried on the next reservation.
	check, err := l.reserve(context.Background(), "a", "name", func(context.Context) (*client.Account, error) {
		return &client.Account{SeatLimit: 1}, nil
	})
	if err != nil || !check.OK {
		t.Fatalf("second reservation: %+v, %v", check, err)
	}
}

func TestSeatLedgerConcurrentReservations(t *testing.T) {
	read := func(context.Context) (*client.Account, error) {
		return &client.Account{SeatLimit: 10, SeatsUsed: 0}, nil
	}
	l := newSeatLedger()
	var wg sync.WaitGroup
	var failed, first atomic.Int32
	for i := range 25 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			check, err := l.reserve(context.Background(), fmt.Sprint(i), "name", read)
			if err != nil {
				t.Error(err)
			}
			if !check.OK {
				failed.Add(1)
			}
			if check.First {
				first.Add(1)
			}
		}()
	}
	wg.Wait()
	if failed.Load() != 15 {
		t.Errorf("%d reservations failed, want 15 of 25 with 10 seats", failed.Load())
	}
	if first.Load() != 1 {
		t.Errorf("%d reservations report the shortage as an error, want 1", first.Load())
	}
}

func TestPlannedMappings(t *testing.T) {
	l := newSeatLedger()
	l.planMapping("conn_a", "id:00e5A0000000002QAA", "sales")
	l.planMapping("conn_a", "name:sales rep", "sales")
	cases := map[string]struct {
		conn           string
		keys           []string
		wantAny, wantP bool
	}{
		"same profile by id":   {conn: "conn_a", keys: []string{"id:00e5A0000000002QAA"}, wantAny: true, wantP: true},
		"same profile by name": {conn: "conn_a", keys: []string{"id:00e5A0000000009QAA", "name:sales rep"}, wantAny: true, wantP: true},
		"other profile":        {conn: "conn_a", keys: []string{"id:00e5A0000000003QAA"}, wantAny: true},
		"other connection":     {conn: "conn_b", keys: []string{"id:00e5A0000000002QAA"}},
		"empty key never hits": {conn: "conn_a", keys: []string{""}, wantAny: true},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			gotAny, gotP := l.plannedMappings(tc.conn, tc.keys...)
			if gotAny != tc.wantAny || gotP != tc.wantP {
				t.Errorf("plannedMappings = %t, %t; want %t, %t", gotAny, gotP, tc.wantAny, tc.wantP)
			}
		})
	}
}

func TestProfileKeys(t *testing.T) {
	got := profileKeys("00e5A0000000002", "Sales Rep")
	want := []string{"id:00e5A0000000002QAA", "name:sales rep"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("profileKeys = %q, want %q", got, want)
	}
}

// TestSeatLedgerBudget: a max_seats below the seat limit is the ceiling the
// plan's creates count against; one at or above it changes nothing.
func TestSeatLedgerBudget(t *testing.T) {
	read := func(context.Context) (*client.Account, error) {
		return &client.Account{SeatLimit: 25, SeatsUsed: 20}, nil
	}
	for _, tc := range []struct {
		budget     int
		hasBudget  bool
		wantFree   int
		wantBudget int
	}{
		{wantFree: 5},
		{budget: 22, hasBudget: true, wantFree: 2, wantBudget: 22},
		{budget: 10, hasBudget: true, wantFree: 0, wantBudget: 10},
		{budget: 30, hasBudget: true, wantFree: 5},
	} {
		l := newSeatLedger()
		l.budget, l.hasBudget = tc.budget, tc.hasBudget
		c, err := l.reserve(context.Background(), "k", "name", read)
		if err != nil {
			t.Fatal(err)
		}
		if c.Free != tc.wantFree || c.Budget != tc.wantBudget {
			t.Errorf("budget %d (%t): free %d, budget %d; want %d, %d", tc.budget, tc.hasBudget, c.Free, c.Budget, tc.wantFree, tc.wantBudget)
		}
	}
}
