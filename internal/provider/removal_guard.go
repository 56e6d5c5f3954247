package provider

// The removal guard: a plan that would take away more seats than the
// provider's max_removals (or max_removal_percent of the sales users the
// configuration manages) fails, listing who would lose access, unless the
// guard is raised for that run with SALESSEAT_MAX_REMOVALS.

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
)

const (
	// envMaxRemovals raises (or lowers) the removal guard for one run; it
	// replaces max_removals and max_removal_percent.
	envMaxRemovals = "SALESSEAT_MAX_REMOVALS"
	// defaultMaxRemovals is max_removals when the configuration leaves it out.
	defaultMaxRemovals = 20
	// removalGuardSummary is the summary of the guard's error.
	removalGuardSummary = "Too Many Sales Users Removed"
	// removalSettleQuiet is how long the removals of a plan must stay
	// unchanged before the guard counts them: Terraform plans resources
	// concurrently, so the first removal over the limit waits for the rest.
	removalSettleQuiet = time.Second
	// removalListMax bounds the names the error lists.
	removalListMax = 50
)

// removalGuard counts, for one plan, the sales users it removes (per-user
// destroys and roster removals) and the sales users the configuration
// manages, and decides whether the plan removes too many.
type removalGuard struct {
	mu sync.Mutex
	// max is the most removals a plan may make; percent, when above 0, the
	// largest share of the managed sales users.
	max, percent int
	// source says where the limits come from, for the message.
	source string
	// removed maps the ID of every sales user the plan removes to how the
	// message names it; managed holds the IDs of every sales user the
	// configuration held before the plan.
	removed map[string]string
	managed map[string]struct{}
	// last is when removed or managed last grew.
	last time.Time
	// reported is set once one resource has reported the error: a plan fails
	// on one error, and one error lists every removal.
	reported bool
	// checking is set while a resource waits for the plan's removals to
	// settle before counting them.
	checking bool
}

// newRemovalGuard returns the guard for the configured limits: maxRemovals
// and percent are the provider arguments (nil when not set); the
// environment variable, when set, replaces both for this run.
func newRemovalGuard(maxRemovals, percent *int64) (*removalGuard, error) {
	g := defaultRemovalGuard()
	if maxRemovals != nil {
		g.max, g.source = int(*maxRemovals), fmt.Sprintf("max_removals = %d in the provider configuration", *maxRemovals)
	}
	if percent != nil {
		g.percent = int(*percent)
		g.source += fmt.Sprintf(", max_removal_percent = %d", *percent)
	}
	if v, ok := os.LookupEnv(envMaxRemovals); ok && strings.TrimSpace(v) != "" {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < 0 {
			return nil, fmt.Errorf("%s=%q is not a number of sales users: set it to a whole number such as 250 (the most sales users this run may remove), or unset it", envMaxRemovals, v)
		}
		g.max, g.percent, g.source = n, 0, fmt.Sprintf("%s=%d for this run", envMaxRemovals, n)
	}
	return g, nil
}

// defaultRemovalGuard is the guard of a configuration that sets no limit,
// without the environment.
func defaultRemovalGuard() *removalGuard {
	return &removalGuard{max: defaultMaxRemovals, source: fmt.Sprintf("the default max_removals of %d", defaultMaxRemovals),
		removed: map[string]string{}, managed: map[string]struct{}{}}
}

// manage records sales users the configuration held before the plan.
func (g *removalGuard) manage(ids ...string) {
	if g == nil {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, id := range ids {
		if _, ok := g.managed[id]; !ok {
			g.managed[id] = struct{}{}
			g.last = time.Now()
		}
	}
}

// tooManyLocked reports whether the removals exceed a limit.
func (g *removalGuard) tooManyLocked() bool {
	n := len(g.removed)
	if n > g.max {
		return true
	}
	return g.percent > 0 && n*100 > g.percent*max(len(g.managed), 1)
}

// remove records the sales users (ID to name) a resource's plan removes.
// When the plan's removals exceed the limits, the first resource to find
// it waits until the plan's removals settle, counts again, and adds one
// error listing every removal to diags; the others add nothing.
func (g *removalGuard) remove(ctx context.Context, removed map[string]string, diags *diag.Diagnostics) {
	if g == nil {
		return // provider data built without a guard (tests)
	}
	g.mu.Lock()
	for id, name := range removed {
		g.managed[id] = struct{}{}
		if _, ok := g.removed[id]; !ok {
			g.removed[id] = name
			g.last = time.Now()
		}
	}
	if len(removed) == 0 || g.reported || g.checking || !g.tooManyLocked() {
		g.mu.Unlock()
		return
	}
	g.checking = true
	g.mu.Unlock()

	g.settle(ctx)

	g.mu.Lock()
	defer g.mu.Unlock()
	g.checking = false
	if g.reported || !g.tooManyLocked() {
		return
	}
	g.reported = true
	diags.AddError(removalGuardSummary, g.messageLocked())
}

// settle waits until nothing was added for removalSettleQuiet.
func (g *removalGuard) settle(ctx context.Context) {
	for {
		g.mu.Lock()
		wait := time.Until(g.last.Add(removalSettleQuiet))
		g.mu.Unlock()
		if wait <= 0 {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}

// messageLocked is the guard's error: the totals, the limit and where it
// comes from, who loses access, the usual causes and both ways out.
func (g *removalGuard) messageLocked() string {
	names := make([]string, 0, len(g.removed))
	for _, n := range g.removed {
		names = append(names, n)
	}
	slices.Sort(names)
	shown := names[:min(len(names), removalListMax)]
	more := ""
	if len(names) > len(shown) {
		more = fmt.Sprintf("\n  - and %d more", len(names)-len(shown))
	}
	n := len(names)
	limit := fmt.Sprintf("at most %d", g.max)
	if g.percent > 0 {
		limit += fmt.Sprintf(", and at most %d%% of the %d it manages", g.percent, len(g.managed))
	}
	return fmt.Sprintf("This plan removes %d sales %s, who lose access and their seats, but a plan may remove %s (%s):\n  - %s%s\n\n"+
		"If that is not intended, fix the configuration before applying: a select rule that matches nobody any more (a renamed or deleted Salesforce profile, "+
		"a typo in a filter), a members map or for_each source that came out empty, or a connection_id that changed all point here. "+
		"If it is intended, raise the guard for this run: %s=%d terraform apply (set it for the plan and the apply alike, e.g. in the pipeline's environment), "+
		"or raise max_removals in the provider configuration.",
		n, plural(n, "user", "users"), limit, g.source, strings.Join(shown, "\n  - "), more, envMaxRemovals, n)
}
