package provider

import (
	"strings"
	"testing"
)

func TestSeatClaims(t *testing.T) {
	const conn, other = "conn_1", "conn_2"
	c := newSeatClaims()
	if got := c.claim(conn, "roster A", false, []string{"005a", "005b"}); len(got) != 0 {
		t.Fatalf("first claim: %v", got)
	}
	// The same CRM user on another connection is another seat.
	if got := c.claim(other, "roster B", false, []string{"005a"}); len(got) != 0 {
		t.Errorf("claim on another connection: %v", got)
	}
	// Two instances that read alike still conflict.
	got := c.claim(conn, "roster A", false, []string{"005b", "005c"})
	if len(got) != 1 || !strings.Contains(got[0], "CRM user 005b is declared by roster A and by roster A") {
		t.Errorf("second claim of 005b: %v", got)
	}
	// An exclusive roster conflicts with what is already declared there, and
	// what comes later conflicts with it.
	if got := c.claim(conn, "roster X", true, nil); len(got) != 1 || !strings.Contains(got[0], "roster X is exclusive on connection conn_1, but roster A") {
		t.Errorf("exclusive after others: %v", got)
	}
	if got := c.claim(conn, "the salesseat_sales_user for 005z", false, []string{"005z"}); len(got) != 1 || !strings.Contains(got[0], "roster X is exclusive on it") {
		t.Errorf("declaration after an exclusive roster: %v", got)
	}
	if got := c.claim(conn, "roster Y", true, nil); len(got) != 1 || !strings.Contains(got[0], "both exclusive") {
		t.Errorf("two exclusive rosters: %v", got)
	}
	var none *seatClaims
	if got := none.claim(conn, "x", true, []string{"005a"}); got != nil {
		t.Errorf("nil claims: %v", got)
	}
}
