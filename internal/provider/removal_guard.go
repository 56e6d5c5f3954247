package provider

// The removal guard: a plan that would take away more seats than the
// provider's max_removals, or a roster that would lose more than
// max_removal_percent of its members, fails, listing who would lose access,
// unless the guard is raised for that run with SALESSEAT_MAX_REMOVALS.
//
// What counts: destroyed salesseat_sales_user resources, and replaced ones
// that move to another CRM user; members a roster drops or removes as
// exclusive; every member of a roster destroyed or replaced for another
// connection; the sales users of a salesseat_crm_connection destroyed or
// replaced. Sales users whose CRM user is deactivated in Salesforce do not
// count: they have no access to lose.

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
	"github.com/hashicorp/terraform-plugin-framework/path"
)

const (
	// envMaxRemovals raises (or lowers) the removal guard for one run; it
	// replaces max_removals and lifts max_removal_percent.
	envMaxRemovals = "SALESSEAT_MAX_REMOVALS"
	// defaultMaxRemovals is max_removals when the configuration leaves it out.
	defaultMaxRemovals = 20
	// removalGuardSummary is the summary of the guard's errors.
	removalGuardSummary = "Too Many Sales Users Removed"
	// removalSettleQuiet is how long the removals of a plan must stay
	// unchanged before the guard counts them: Terraform plans resources
	// concurrently, so the first removal over the limit waits for the rest.
	removalSettleQuiet = time.Second
	// removalListMax bounds the names an error lists.
	removalListMax = 50
)

// removalGuard counts, for one plan, the sales users it removes and decides
// whether the plan removes too many.
type removalGuard struct {
	mu sync.Mutex
	// max is the most removals a plan may make; percent, when above 0, the
	// largest share of its members one roster may lose.
	max, percent int
	// source says where the limits come from, for the messages.
	source string
	// removed maps the ID of every sales user the plan removes to how the
	// message names it.
	removed map[string]string
	// last is when removed last grew.
	last time.Time
	// reported is set once one resource has reported the error: a plan fails
	// on one error, and one error lists every removal.
	reported bool
	// checking is set while a resource waits for the plan's removals to
	// settle before counting them.
	checking bool
}

// defaultRemovalGuard is the guard of a configuration that sets no limit,
// without the environment.
func defaultRemovalGuard() *removalGuard {
	return &removalGuard{max: defaultMaxRemovals, source: fmt.Sprintf("the default max_removals of %d", defaultMaxRemovals), removed: map[string]string{}}
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

// remove records the sales users (ID to name) a resource's plan removes.
// When the plan's removals exceed max_removals, the first resource to find
// it waits until the plan's removals settle, counts again, and adds one
// error listing every removal to diags; the others add nothing.
func (g *removalGuard) remove(ctx context.Context, removed map[string]string, diags *diag.Diagnostics) {
	if g == nil || len(removed) == 0 {
		return // nothing removed, or provider data built without a guard (tests)
	}
	g.mu.Lock()
	for id, name := range removed {
		if _, ok := g.removed[id]; !ok {
			g.removed[id] = name
			g.last = time.Now()
		}
	}
	if g.reported || g.checking || len(g.removed) <= g.max {
		g.mu.Unlock()
		return
	}
	g.checking = true
	g.mu.Unlock()

	g.settle(ctx)

	g.mu.Lock()
	defer g.mu.Unlock()
	g.checking = false
	if g.reported || len(g.removed) <= g.max {
		return
	}
	g.reported = true
	n := len(g.removed)
	diags.AddError(removalGuardSummary, fmt.Sprintf(
		"This plan removes %s, who %s access and %s, but a plan may remove at most %d (%s):\n%s\n\n%s",
		plural(n, "1 sales user", fmt.Sprintf("%d sales users", n)), plural(n, "loses", "lose"), plural(n, "its seat", "their seats"),
		g.max, g.source, nameList(g.removed), removalAdvice(n, "max_removals")))
}

// checkShare fails a roster's plan that removes more than max_removal_percent
// of its members (members counts them before the plan).
func (g *removalGuard) checkShare(removed map[string]string, members int, diags *diag.Diagnostics) {
	if g == nil || g.percent == 0 || members == 0 || len(removed)*100 <= g.percent*members {
		return
	}
	n := len(removed)
	diags.AddAttributeError(path.Root("members"), removalGuardSummary, fmt.Sprintf(
		"This plan removes %d of the roster's %d members (%d%%), more than max_removal_percent = %d in the provider configuration allows:\n%s\n\n%s",
		n, members, n*100/members, g.percent, nameList(removed), removalAdvice(n, "max_removal_percent")))
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

// nameList lists the names, sorted, at most removalListMax of them.
func nameList(removed map[string]string) string {
	names := make([]string, 0, len(removed))
	for _, n := range removed {
		names = append(names, n)
	}
	slices.Sort(names)
	shown := names[:min(len(names), removalListMax)]
	out := "  - " + strings.Join(shown, "\n  - ")
	if len(names) > len(shown) {
		out += fmt.Sprintf("\n  - and %d more", len(names)-len(shown))
	}
	return out
}

// removalAdvice is the usual causes and both ways out; limit names the
// provider argument that failed the plan.
func removalAdvice(n int, limit string) string {
	return fmt.Sprintf("If that is not intended, fix the configuration before applying: a select rule that matches nobody any more (a renamed or deleted Salesforce profile, "+
		"a typo in a filter), a members map or for_each source that came out empty, a roster or connection replaced, or resources renamed without a moved block "+
		"(a count rewritten as for_each destroys and re-creates the same users) all look like this. "+
		"If it is intended, raise the guard for this run: %s=%d terraform apply (set it for the plan and the apply alike, e.g. in the pipeline's environment; "+
		"resources planned after this error may add to the count), or raise %s in the provider configuration.", envMaxRemovals, n, limit)
}
