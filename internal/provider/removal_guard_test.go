package provider

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
)

func TestNewRemovalGuard(t *testing.T) {
	ten, fifty := int64(10), int64(50)
	cases := map[string]struct {
		env          string
		max, percent *int64
		wantMax      int
		wantPercent  int
		wantSource   string
		wantErr      string
	}{
		"default":            {wantMax: defaultMaxRemovals, wantSource: "default max_removals of 20"},
		"configured":         {max: &ten, percent: &fifty, wantMax: 10, wantPercent: 50, wantSource: "max_removals = 10 in the provider configuration"},
		"raised for the run": {env: "300", max: &ten, percent: &fifty, wantMax: 300, wantSource: envMaxRemovals + "=300 for this run"},
		"zero":               {env: "0", wantMax: 0, wantSource: envMaxRemovals + "=0"},
		"not a number":       {env: "lots", wantErr: `SALESSEAT_MAX_REMOVALS="lots" is not a number`},
		"negative":           {env: "-1", wantErr: "whole number"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Setenv(envMaxRemovals, tc.env)
			g, err := newRemovalGuard(tc.max, tc.percent)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || g.max != tc.wantMax || g.percent != tc.wantPercent || !strings.Contains(g.source, tc.wantSource) {
				t.Errorf("guard max %d percent %d source %q (%v), want %d %d %q", g.max, g.percent, g.source, err, tc.wantMax, tc.wantPercent, tc.wantSource)
			}
		})
	}
}

// TestRemovalGuardOneError checks that removals planned concurrently by
// many resources give one error, with every name, only when they exceed
// the limit, and that the share counts the managed sales users.
func TestRemovalGuardOneError(t *testing.T) {
	run := func(g *removalGuard, removed int) []diag.Diagnostics {
		out := make([]diag.Diagnostics, removed)
		var wg sync.WaitGroup
		for i := range removed {
			wg.Go(func() {
				g.remove(context.Background(), map[string]string{fmt.Sprintf("su_%d", i): fmt.Sprintf("user%02d", i)}, &out[i])
			})
		}
		wg.Wait()
		return out
	}
	errorsOf := func(ds []diag.Diagnostics) []diag.Diagnostic {
		var errs []diag.Diagnostic
		for _, d := range ds {
			errs = append(errs, d.Errors()...)
		}
		return errs
	}

	g := defaultRemovalGuard()
	g.max = 5
	errs := errorsOf(run(g, 8))
	if len(errs) != 1 || errs[0].Summary() != removalGuardSummary {
		t.Fatalf("errors %v, want one %q", errs, removalGuardSummary)
	}
	for i := range 8 {
		if !strings.Contains(errs[0].Detail(), fmt.Sprintf("user%02d", i)) {
			t.Errorf("the error lacks user%02d:\n%s", i, errs[0].Detail())
		}
	}
	if !strings.Contains(errs[0].Detail(), "removes 8 sales users") || !strings.Contains(errs[0].Detail(), envMaxRemovals+"=8 terraform apply") {
		t.Errorf("the error does not state the total and the override:\n%s", errs[0].Detail())
	}

	g = defaultRemovalGuard()
	g.max = 5
	if errs := errorsOf(run(g, 5)); len(errs) != 0 {
		t.Errorf("5 removals under max 5: %v", errs)
	}

	if !strings.Contains(errs[0].Detail(), "8 sales users, who lose access and their seats") {
		t.Errorf("the error's grammar:\n%s", errs[0].Detail())
	}
	g = defaultRemovalGuard()
	g.max = 0
	if errs := errorsOf(run(g, 1)); len(errs) != 1 || !strings.Contains(errs[0].Detail(), "1 sales user, who loses access and its seat") {
		t.Errorf("one removal over max 0: %v", errs)
	}
}

// TestRemovalGuardShare checks max_removal_percent on one roster: 3 of 10
// members is over 25%, 2 of 10 is not, and no limit set checks nothing.
func TestRemovalGuardShare(t *testing.T) {
	removed := func(n int) map[string]string {
		m := map[string]string{}
		for i := range n {
			m[fmt.Sprintf("su_%d", i)] = fmt.Sprintf("user%d", i)
		}
		return m
	}
	g := defaultRemovalGuard()
	g.percent = 25
	var diags diag.Diagnostics
	g.checkShare(removed(3), 10, &diags)
	if errs := diags.Errors(); len(errs) != 1 || !strings.Contains(errs[0].Detail(), "removes 3 of the roster's 10 members (30%), more than max_removal_percent = 25") {
		t.Errorf("3 of 10 at 25%%: %v", diags)
	}
	diags = nil
	g.checkShare(removed(2), 10, &diags)
	if len(diags) != 0 {
		t.Errorf("2 of 10 at 25%%: %v", diags)
	}
	g.percent = 0
	g.checkShare(removed(10), 10, &diags)
	if len(diags) != 0 {
		t.Errorf("no limit: %v", diags)
	}
}
