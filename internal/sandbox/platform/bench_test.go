package platform_test

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/salesseat/terraform-provider-salesseat/internal/sandbox/platform"
	"github.com/salesseat/terraform-provider-salesseat/internal/sandbox/salesforce"
)

// The benchmarks here measure the platform's domain layer at the scale of
// PRODUCT.md: an org of 50,000 CRM users and an account of 10,000 sales
// users. The CRM is the fake org of fake_test.go behind benchCRM, which
// answers user queries from a sorted index, so the numbers are the
// platform's own cost rather than the fake's linear scans. crm-calls/op
// counts the CRM calls each operation makes.

// benchCRM is a fakeCRM whose user reads come from an immutable index of
// the org's users and are counted.
type benchCRM struct {
	*fakeCRM
	idx   *benchUserIndex
	calls *atomic.Int64
}

// benchUserIndex holds the fake org's users sorted by ID, built once after
// the org is populated.
type benchUserIndex struct {
	sorted     []salesforce.User
	byID       map[string]int // ID -> index in sorted
	byUsername map[string]int // lower(username) -> index in sorted
}

func newBenchUserIndex(o *fakeOrg) *benchUserIndex {
	o.mu.Lock()
	defer o.mu.Unlock()
	idx := &benchUserIndex{
		sorted:     make([]salesforce.User, 0, len(o.users)),
		byID:       make(map[string]int, len(o.users)),
		byUsername: make(map[string]int, len(o.users)),
	}
	for _, u := range o.users {
		idx.sorted = append(idx.sorted, u)
	}
	slices.SortFunc(idx.sorted, func(a, b salesforce.User) int { return strings.Compare(a.ID, b.ID) })
	for i, u := range idx.sorted {
		idx.byID[u.ID] = i
		idx.byUsername[strings.ToLower(u.Username)] = i
	}
	return idx
}

// Users applies the same filters as fakeCRM.Users, in ID order, starting
// after AfterID and stopping at Limit.
func (c *benchCRM) Users(_ context.Context, q salesforce.UserQuery) ([]salesforce.User, error) {
	c.calls.Add(1)
	candidates := c.idx.sorted
	if q.IDs != nil {
		candidates = make([]salesforce.User, 0, len(q.IDs))
		for _, id := range q.IDs {
			if i, ok := c.idx.byID[id]; ok {
				candidates = append(candidates, c.idx.sorted[i])
			}
		}
		slices.SortFunc(candidates, func(a, b salesforce.User) int { return strings.Compare(a.ID, b.ID) })
	}
	if q.AfterID != "" {
		candidates = candidates[sort.Search(len(candidates), func(i int) bool { return candidates[i].ID > q.AfterID }):]
	}
	var exclude map[string]bool
	if len(q.ExcludeIDs) > 0 {
		exclude = make(map[string]bool, len(q.ExcludeIDs))
		for _, id := range q.ExcludeIDs {
			exclude[id] = true
		}
	}
	var out []salesforce.User
	for _, u := range candidates {
		if q.Limit > 0 && len(out) == q.Limit {
			break
		}
		if q.Active != nil && u.Active != *q.Active ||
			len(q.ProfileIDs) > 0 && !slices.Contains(q.ProfileIDs, u.ProfileID) ||
			len(q.ProfileNames) > 0 && !slices.Contains(q.ProfileNames, u.ProfileName) ||
			q.EmailDomain != "" && !strings.HasSuffix(strings.ToLower(u.Email), "@"+strings.ToLower(q.EmailDomain)) ||
			q.Search != "" && !strings.Contains(strings.ToLower(u.Username+" "+u.Email+" "+u.FirstName+" "+u.LastName), strings.ToLower(q.Search)) ||
			exclude[u.ID] {
			continue
		}
		out = append(out, u)
	}
	return out, nil
}

// User reads one user from the index.
func (c *benchCRM) User(_ context.Context, id string) (salesforce.User, error) {
	c.calls.Add(1)
	i, ok := c.idx.byID[id]
	if !ok {
		return salesforce.User{}, fmt.Errorf("user %s: %w", id, salesforce.ErrNotFound)
	}
	return c.idx.sorted[i], nil
}

// UserByUsername reads one user from the index.
func (c *benchCRM) UserByUsername(_ context.Context, username string) (salesforce.User, error) {
	c.calls.Add(1)
	i, ok := c.idx.byUsername[strings.ToLower(username)]
	if !ok {
		return salesforce.User{}, fmt.Errorf("user %q: %w", username, salesforce.ErrNotFound)
	}
	return c.idx.sorted[i], nil
}

// Profiles counts the call and asks the fake.
func (c *benchCRM) Profiles(ctx context.Context) ([]salesforce.Profile, error) {
	c.calls.Add(1)
	return c.fakeCRM.Profiles(ctx)
}

// Organization counts the call and asks the fake.
func (c *benchCRM) Organization(ctx context.Context) (salesforce.Organization, error) {
	c.calls.Add(1)
	return c.fakeCRM.Organization(ctx)
}

// benchPlatform is a platform with one connection to a fake org of many
// users, a role mapping for every profile the users have, and some of them
// already imported.
type benchPlatform struct {
	p     *platform.Platform
	conn  platform.Connection
	calls atomic.Int64
	// free are the active CRM users that are not imported, in ID order.
	free []string
}

// benchProfiles are the profiles generated users get, round robin, with
// Sales Rep on half of them.
var benchProfiles = []string{profSalesRep, profSalesMgr, profSalesRep, profMarketing}

// benchImported is how many sales users the account of a benchmark has
// before it starts.
const benchImported = 10000

// newBenchPlatform builds a platform whose org has crmUsers users besides
// the service account (every tenth one inactive) and imports the first
// benchImported active ones by automatic sync. The seat limit is
// benchImported+extraSeats.
func newBenchPlatform(b *testing.B, crmUsers, extraSeats int) *benchPlatform {
	b.Helper()
	const imported = benchImported
	ctx := context.Background()
	org := newFakeOrg()
	var active []string
	for n := 1; n <= crmUsers; n++ {
		username := fmt.Sprintf("user%06d@acme.example", n)
		id := org.addUser(n+1, username, username, "User", fmt.Sprint(n), n%10 != 0, benchProfiles[n%len(benchProfiles)])
		if n%10 != 0 {
			active = append(active, id)
		}
	}
	if imported > len(active) {
		b.Fatalf("cannot import %d of %d active CRM users", imported, len(active))
	}
	idx := newBenchUserIndex(org)

	bp := &benchPlatform{free: active[imported:]}
	dial := func(ctx context.Context, creds salesforce.Credentials) (platform.CRM, error) {
		crm, err := org.dial(ctx, creds)
		if err != nil {
			return nil, err
		}
		fc, ok := crm.(*fakeCRM)
		if !ok {
			return nil, fmt.Errorf("the fake org dialed a %T, want *fakeCRM", crm)
		}
		return &benchCRM{fakeCRM: fc, idx: idx, calls: &bp.calls}, nil
	}
	bp.p = platform.New(platform.Seed{AccountName: "Acme Corp", SeatLimit: imported}, dial, platform.Options{})
	automatic := true
	conn, err := bp.p.CreateConnection(ctx, platform.ConnectionInput{
		Name: "Acme Sandbox", Environment: platform.EnvironmentSandbox, ServiceUsername: svcUsername,
		OAuthClientID: "consumer-key", RefreshToken: goodToken, AutomaticUserSync: &automatic,
	})
	if err != nil {
		b.Fatalf("CreateConnection: %v", err)
	}
	for _, prof := range []string{profSalesRep, profSalesMgr, profMarketing} {
		if _, err := bp.p.CreateRoleMapping(ctx, platform.RoleMappingInput{ConnectionID: conn.ID, CRMProfileID: prof, Role: platform.RoleSales}); err != nil {
			b.Fatalf("CreateRoleMapping(%s): %v", prof, err)
		}
	}
	if _, err := bp.p.RunAutomaticSync(ctx, conn.ID); err != nil {
		b.Fatalf("RunAutomaticSync: %v", err)
	}
	off := false
	if conn, err = bp.p.UpdateConnection(ctx, conn.ID, platform.ConnectionPatch{AutomaticUserSync: &off}, 0); err != nil {
		b.Fatalf("UpdateConnection: %v", err)
	}
	if used := bp.p.Account().SeatsUsed; used != imported {
		b.Fatalf("%d sales users imported, want %d", used, imported)
	}
	if _, err := bp.p.SetSeatLimit(imported + extraSeats); err != nil {
		b.Fatalf("SetSeatLimit: %v", err)
	}
	bp.conn = conn
	return bp
}

// startCounting resets the CRM call count and the timer after the setup.
func (bp *benchPlatform) startCounting(b *testing.B) {
	b.Helper()
	bp.calls.Store(0)
	b.ReportAllocs()
	b.ResetTimer()
}

// reportCalls reports the CRM calls per operation.
func (bp *benchPlatform) reportCalls(b *testing.B) {
	b.Helper()
	b.ReportMetric(float64(bp.calls.Load())/float64(b.N), "crm-calls/op")
}

// BenchmarkCreateSalesUser imports one CRM user per operation into an
// account that already has 10,000 sales users.
func BenchmarkCreateSalesUser(b *testing.B) {
	bp := newBenchPlatform(b, (benchImported+b.N)*10/9+10, b.N)
	ctx := context.Background()
	bp.startCounting(b)
	for i := range b.N {
		if _, err := bp.p.CreateSalesUser(ctx, platform.SalesUserInput{ConnectionID: bp.conn.ID, CRMUserID: bp.free[i]}); err != nil {
			b.Fatalf("CreateSalesUser(%s): %v", bp.free[i], err)
		}
	}
	b.StopTimer()
	bp.reportCalls(b)
}

// BenchmarkCreateSalesUserParallel imports CRM users concurrently, at least
// ten at a time as Terraform's default -parallelism does, into an account
// that already has 10,000 sales users.
func BenchmarkCreateSalesUserParallel(b *testing.B) {
	bp := newBenchPlatform(b, (benchImported+b.N)*10/9+10, b.N)
	ctx := context.Background()
	var next atomic.Int64
	procs := runtime.GOMAXPROCS(0)
	b.SetParallelism((10 + procs - 1) / procs)
	bp.startCounting(b)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			id := bp.free[next.Add(1)-1]
			if _, err := bp.p.CreateSalesUser(ctx, platform.SalesUserInput{ConnectionID: bp.conn.ID, CRMUserID: id}); err != nil {
				b.Errorf("CreateSalesUser(%s): %v", id, err)
				return
			}
		}
	})
	b.StopTimer()
	bp.reportCalls(b)
}

// BenchmarkValidate100 dry-runs a batch of 100 imports (what one plan of
// 100 new salesseat_sales_user resources asks) against an org of 50,000
// CRM users and an account of 10,000 sales users. The CRM users are read in
// one batched query.
func BenchmarkValidate100(b *testing.B) {
	const batch = 100
	bp := newBenchPlatform(b, 50000, batch)
	items := make([]platform.ValidateItem, batch)
	for i := range items {
		items[i] = platform.ValidateItem{Action: platform.ActionCreate, ConnectionID: bp.conn.ID, CRMUserID: bp.free[i*97]}
	}
	ctx := context.Background()
	bp.startCounting(b)
	for b.Loop() {
		res, err := bp.p.Validate(ctx, items)
		if err != nil {
			b.Fatalf("Validate: %v", err)
		}
		if !res.Valid || len(res.Items) != batch {
			b.Fatalf("Validate: valid=%t, %d items, first problems %v", res.Valid, len(res.Items), res.Items[0].Problems)
		}
	}
	bp.reportCalls(b)
}

// BenchmarkListCRMUsers50k lists, page by page (1,000 per page), the users
// of an org of 50,000 users that match a filter, with 10,000 of them
// imported; one operation reads every page.
func BenchmarkListCRMUsers50k(b *testing.B) {
	bp := newBenchPlatform(b, 50000, 0)
	active, notImported := true, false
	// A slice, not a map, so the sub-benchmarks always run and print in
	// the same order.
	cases := []struct {
		name   string
		filter platform.CRMUserFilter
		want   int
	}{
		// Everyone: the org's 50,000 users and its service account.
		{name: "all", want: 50001},
		// Half the users have Sales Rep, and every tenth is inactive.
		{name: "active_sales_rep", filter: platform.CRMUserFilter{Active: &active, ProfileNames: []string{"Sales Rep"}}, want: 20000},
		// The IDs of the 10,000 imported users are excluded in the query.
		{name: "not_imported", filter: platform.CRMUserFilter{Imported: &notImported}, want: 40001},
	}
	ctx := context.Background()
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			bp.startCounting(b)
			for b.Loop() {
				n, cursor := 0, ""
				for {
					page, err := bp.p.ListCRMUsers(ctx, bp.conn.ID, tc.filter, platform.PageRequest{Limit: platform.MaxPageLimit, Cursor: cursor})
					if err != nil {
						b.Fatalf("ListCRMUsers: %v", err)
					}
					n += len(page.Items)
					if cursor = page.NextCursor; cursor == "" {
						break
					}
				}
				if n != tc.want {
					b.Fatalf("listed %d CRM users, want %d", n, tc.want)
				}
			}
			bp.reportCalls(b)
		})
	}
}
