package platform_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/salesseat/terraform-provider-salesseat/internal/sandbox/platform"
)

func TestProblem(t *testing.T) {
	prob := platform.SeatLimitReached(25, 25, 1)
	if prob.Type() != "https://salesseat.dev/problems/seat_limit_reached" || prob.Title != "Seat limit reached" {
		t.Errorf("type %s, title %q", prob.Type(), prob.Title)
	}
	for k, v := range map[string]int{"seats_used": 25, "seat_limit": 25, "seats_requested": 1} {
		if prob.Ext[k] != v {
			t.Errorf("%s = %v, want %v", k, prob.Ext[k], v)
		}
	}
	if prob.Detail != "The account uses 25 of 25 seats, so importing 1 more sales user would exceed the seat limit. The seat limit is part of your contract: ask your vendor to raise it (it cannot be changed through the API or Terraform), or delete sales users you no longer need." {
		t.Errorf("detail %q", prob.Detail)
	}
	if got := platform.AsProblem(fmt.Errorf("boom: %w", prob)); got != prob {
		t.Error("AsProblem does not unwrap")
	}
	if got := platform.AsProblem(fmt.Errorf("secret=hunter2")); got.Code != platform.CodeInternalError || strings.Contains(got.Detail, "hunter2") {
		t.Errorf("AsProblem of a plain error = %+v", got)
	}
}
