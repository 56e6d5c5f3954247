package platform_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/salesseat/terraform-provider-salesseat/internal/sandbox/platform"
)

func TestProblemJSON(t *testing.T) {
	prob := platform.SeatLimitReached(25, 25, 1)
	prob.Instance = "/api/v1/sales-users"
	raw, err := json.Marshal(prob)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"type": "https://salesseat.dev/problems/seat_limit_reached", "title": "Seat limit reached", "status": 409.0,
		"code": "seat_limit_reached", "instance": "/api/v1/sales-users", "seats_used": 25.0, "seat_limit": 25.0, "seats_requested": 1.0,
	}
	for k, v := range want {
		if m[k] != v {
			t.Errorf("%s = %v, want %v", k, m[k], v)
		}
	}
	if m["detail"] != "The account uses 25 of 25 seats, so importing 1 more sales user would exceed the seat limit. The seat limit is part of your contract: ask your vendor to raise it (it cannot be changed through the API or Terraform), or delete sales users you no longer need." {
		t.Errorf("detail %q", m["detail"])
	}
	var back platform.Problem
	if err := json.Unmarshal(raw, &back); err != nil || back.Code != prob.Code || back.Status != 409 || back.Ext["seats_used"] != 25.0 {
		t.Errorf("round trip %+v, %v", back, err)
	}
	if got := platform.AsProblem(fmt.Errorf("boom: %w", prob)); got != prob {
		t.Error("AsProblem does not unwrap")
	}
	if got := platform.AsProblem(fmt.Errorf("secret=hunter2")); got.Code != platform.CodeInternalError || strings.Contains(got.Detail, "hunter2") {
		t.Errorf("AsProblem of a plain error = %+v", got)
	}
	_ = time.Second
}
