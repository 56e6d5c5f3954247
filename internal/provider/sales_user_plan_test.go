package provider

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/salesseat/terraform-provider-salesseat/internal/client"
	"github.com/salesseat/terraform-provider-salesseat/internal/provider/sfidtype"
)

func TestSalesUserReportProblemsProfileNotMapped(t *testing.T) {
	problem := &client.Error{Status: 422, Code: client.CodeProfileNotMapped, CRMProfileID: profileSalesRep, CRMProfileName: "Sales Rep", ConnectionID: "conn_1"}
	cases := map[string]struct {
		planned     []string // ledger keys of mappings planned on conn_1
		wantError   bool
		wantWarning bool
	}{
		"no mapping planned: error":               {wantError: true},
		"mapping for the profile by ID: nothing":  {planned: []string{"id:" + profileSalesRep}},
		"mapping for the profile by name":         {planned: []string{"name:sales rep"}},
		"mapping for another profile: warning":    {planned: []string{"id:" + profileMarketing}, wantWarning: true},
		"mapping planned, profile key unresolved": {planned: []string{""}, wantWarning: true},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			data := &providerData{ledger: newSeatLedger(), salesUsers: newSalesUserCache()}
			for _, k := range tc.planned {
				data.ledger.planMapping("conn_1", k, "sales")
			}
			r := &salesUserResource{data: data}
			config := salesUserResourceModel{CRMUserID: sfidNull(), CRMUsername: types.StringValue(usernameJordan)}
			var diags diag.Diagnostics
			r.reportProblems([]*client.Error{problem}, config, "conn_1", &diags)
			if got := diags.ErrorsCount() > 0; got != tc.wantError {
				t.Errorf("error = %t, want %t: %v", got, tc.wantError, diags)
			}
			if got := diags.WarningsCount() > 0; got != tc.wantWarning {
				t.Errorf("warning = %t, want %t: %v", got, tc.wantWarning, diags)
			}
		})
	}
}

func TestSalesUserReportProblemsSkipsSeatsAndWarnsWhenDisconnected(t *testing.T) {
	r := &salesUserResource{data: &providerData{ledger: newSeatLedger(), salesUsers: newSalesUserCache()}}
	config := salesUserResourceModel{CRMUserID: sfidNull(), CRMUsername: types.StringValue(usernameJordan)}
	var diags diag.Diagnostics
	r.reportProblems([]*client.Error{
		{Code: client.CodeSeatLimitReached, SeatLimit: 1, SeatsUsed: 1},
		{Code: client.CodeConnectionDisconnected, ConnectionID: "conn_1", StatusReason: "invalid_grant: token revoked"},
	}, config, "conn_1", &diags)
	if diags.ErrorsCount() != 0 || diags.WarningsCount() != 1 {
		t.Fatalf("want one warning and no error, got %v", diags)
	}
	if !strings.Contains(diags.Warnings()[0].Detail(), "token revoked") {
		t.Errorf("warning does not give the reason: %q", diags.Warnings()[0].Detail())
	}
}

func sfidNull() sfidtype.ID { return sfidtype.NewIDNull() }

func TestSalesUserReportCreateProblemsUsernameHeldByReplacedUser(t *testing.T) {
	problem := &client.Error{Status: 409, Code: client.CodeCRMUsernameMapped, CRMUsername: usernameJordan, ConflictingSalesUserID: "su_old",
		ConflictingUserName: "Jordan Lee", ConflictingUserEmail: usernameJordan}
	recorded := &recycledUser{ID: "su_old", ConnectionID: "conn_1", CRMUserID: userJordan, CRMUsername: usernameJordan, FirstName: "Jordan", LastName: "Lee"}
	cases := map[string]struct {
		released    string        // sales user whose seat the plan released (a replacement seen by the first plan call)
		replaced    *recycledUser // the first plan call's record of the replaced sales user
		restore     bool
		wantError   string
		wantWarning string
	}{
		"held by another sales user: import it": {released: "su_other", restore: true, wantError: `to = salesseat_sales_user.<name>`},
		"held by the sales user this plan replaces, restore off": {
			released: "su_old", restore: false,
			wantError: "This plan replaces sales user su_old with a new sales user for the same CRM user",
		},
		"restore off names the attribute": {replaced: recorded, restore: false, wantError: "This resource sets restore_from_recycle_bin = false"},
		"replaced sales user on the same connection is restored": {
			replaced: recorded, restore: true,
			wantWarning: "Sales user su_old (Jordan Lee, jordan.lee@acme.example) goes to the recycle bin when this plan destroys it and will be restored instead of imported anew; " +
				"set restore_from_recycle_bin = false to be told instead.",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			data := newProviderData(nil)
			if tc.released != "" {
				data.ledger.release(tc.released, true)
			}
			r := &salesUserResource{data: data}
			config := salesUserResourceModel{
				CRMUserID: sfidNull(), CRMUsername: types.StringValue(usernameJordan), Role: types.StringNull(),
				ConnectionID: types.StringValue("conn_1"), RestoreFromRecycleBin: types.BoolValue(tc.restore),
			}
			var diags diag.Diagnostics
			r.reportCreateProblems(context.Background(), config, config, tc.replaced, client.ValidationItem{Problems: []*client.Error{problem}}, &diags)
			if tc.wantWarning != "" {
				if diags.ErrorsCount() != 0 || diags.WarningsCount() != 1 || diags.Warnings()[0].Detail() != tc.wantWarning {
					t.Fatalf("want the warning %q alone, got %v", tc.wantWarning, diags)
				}
				return
			}
			if diags.ErrorsCount() != 1 {
				t.Fatalf("want one error, got %v", diags)
			}
			d := diags.Errors()[0]
			if d.Summary() != "CRM Username Already Mapped" || !strings.Contains(d.Detail(), tc.wantError) {
				t.Errorf("error %q: %q does not contain %q", d.Summary(), d.Detail(), tc.wantError)
			}
		})
	}
}

// TestSalesUserReserveSeatReportsOneError plans more sales users than free
// seats: the first that does not fit fails the plan with the numbers known
// at that moment, each later one only warns under the same summary (which
// Terraform collapses), and no message claims the plan's total.
func TestSalesUserReserveSeatReportsOneError(t *testing.T) {
	old := seatSettleQuiet
	seatSettleQuiet = 10 * time.Millisecond
	t.Cleanup(func() { seatSettleQuiet = old })
	cases := map[string]struct {
		limit, used int
		usernames   []string
		wantError   string // "" for no error
	}{
		"fits": {limit: 5, used: 1, usernames: []string{"a", "b"}},
		// Called one after the other, each call sees the reservations made
		// so far: the first that does not fit reports the totals then.
		"one of five does not fit yet": {
			limit: 4, used: 1, usernames: []string{"a", "b", "c", "d", "e"},
			wantError: "4 sales users are planned for creation, 3 seats are free (the account's seat limit is 4 and 1 seat is used): remove 1 from the configuration",
		},
		"same instance planned again": {
			limit: 1, used: 0, usernames: []string{"a", "b", "b", "c"},
			wantError: "2 sales users are planned for creation, 1 seat is free",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			c, err := client.New(client.Config{Endpoint: "http://127.0.0.1:1", ClientID: "id", ClientSecret: "secret"})
			if err != nil {
				t.Fatal(err)
			}
			data := newProviderData(c)
			// The snapshot is taken: the test makes no request.
			data.ledger.loaded, data.ledger.limit, data.ledger.used = true, tc.limit, tc.used
			r := &salesUserResource{data: data}
			var diags diag.Diagnostics
			for _, u := range tc.usernames {
				config := salesUserResourceModel{CRMUserID: sfidNull(), CRMUsername: types.StringValue(u + "@acme.example")}
				r.reserveSeat(context.Background(), types.StringValue("conn_1"), config, &diags)
			}
			if tc.wantError == "" {
				if len(diags) != 0 {
					t.Fatalf("want no diagnostics, got %v", diags)
				}
				return
			}
			if len(diags) != 1 || diags.ErrorsCount() != 1 || diags[0].Summary() != seatShortageSummary {
				t.Fatalf("want one %q error and nothing else, got %v", seatShortageSummary, diags)
			}
			for _, want := range []string{tc.wantError, "raise the seat limit through your vendor", "-target", "terraform destroy -refresh=false", seatLimitNote} {
				if !strings.Contains(diags[0].Detail(), want) {
					t.Errorf("error %q does not contain %q", diags[0].Detail(), want)
				}
			}
		})
	}
}

// TestSalesUserPlanRestoreWarnsOncePerUser plans three sales users whose
// deleted sales users sit in the recycle bin: one "Sales User Will Be
// Restored" warning each, naming its own sales user.
func TestSalesUserPlanRestoreWarnsOncePerUser(t *testing.T) {
	e := newRestoreEnv(t)
	users := []string{userJordan, userPriya, userMarco}
	var diags diag.Diagnostics
	for _, id := range users {
		e.deleted(e.conn, id)
	}
	for _, id := range users {
		config, plan := createModels(e.conn, id, "", "sales", "", true)
		diags.Append(e.planCreate(config, plan)...)
	}
	if diags.HasError() {
		t.Fatal(diags)
	}
	named := map[string]int{}
	for _, w := range diags.Warnings() {
		if w.Summary() == "Sales User Will Be Restored" {
			named[strings.Fields(w.Detail())[2]]++
		}
	}
	if len(named) != len(users) {
		t.Errorf("restore warnings name %d sales users, want %d: %v", len(named), len(users), diags)
	}
	for id, n := range named {
		if n != 1 {
			t.Errorf("sales user %s is announced %d times, want once", id, n)
		}
	}
}

// TestSalesUserSeatShortageIsOneDiagnostic plans 30 sales users at once on
// an account with 25 seats, 20 in use, as Terraform does (concurrently): the
// plan gets one error, with the totals and the planned users sorted, the
// same on every run, and nothing from the others.
func TestSalesUserSeatShortageIsOneDiagnostic(t *testing.T) {
	old := seatSettleQuiet
	seatSettleQuiet = 100 * time.Millisecond
	t.Cleanup(func() { seatSettleQuiet = old })
	read := func(context.Context) (*client.Account, error) {
		return &client.Account{SeatLimit: 25, SeatsUsed: 20, SeatsAvailable: 5}, nil
	}
	plan := func() []diag.Diagnostic {
		r := &salesUserResource{data: &providerData{ledger: newSeatLedger(), client: &client.Client{Account: fakeAccount(read)}}}
		var mu sync.Mutex
		var all []diag.Diagnostic
		var wg sync.WaitGroup
		for i := range 30 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				config := salesUserResourceModel{CRMUserID: sfidNull(), CRMUsername: types.StringValue(fmt.Sprintf("user%02d@acme.example", 29-i))}
				var diags diag.Diagnostics
				r.reserveSeat(context.Background(), types.StringValue("conn_1"), config, &diags)
				mu.Lock()
				all = append(all, diags...)
				mu.Unlock()
			}()
		}
		wg.Wait()
		return all
	}
	first := plan()
	if len(first) != 1 || first[0].Severity() != diag.SeverityError || first[0].Summary() != seatShortageSummary {
		t.Fatalf("want one %q error, got %d diagnostics: %v", seatShortageSummary, len(first), first)
	}
	detail := first[0].Detail()
	for _, want := range []string{"30 sales users are planned for creation, 5 seats are free", "remove 25 from the configuration",
		"user00@acme.example, user01@acme.example, ", "and 10 more", "terraform destroy -refresh=false"} {
		if !strings.Contains(detail, want) {
			t.Errorf("detail lacks %q:\n%s", want, detail)
		}
	}
	if again := plan(); len(again) != 1 || again[0].Detail() != detail {
		t.Errorf("another run says something else:\n%v\nwant:\n%s", again, detail)
	}
}

// fakeAccount is an AccountService reading through a function.
type fakeAccount func(context.Context) (*client.Account, error)

func (f fakeAccount) Read(ctx context.Context) (*client.Account, error) { return f(ctx) }

func (fakeAccount) SeatReport(context.Context) (*client.SeatReport, error) {
	return &client.SeatReport{}, nil
}

// TestSalesUserServiceAccountIsNotAdvisedAMapping: the dry run of the
// service account reports its profile unmapped too; the plan says only that
// the service account cannot be a sales user, not to map its profile.
func TestSalesUserServiceAccountIsNotAdvisedAMapping(t *testing.T) {
	r := &salesUserResource{data: &providerData{ledger: newSeatLedger(), salesUsers: newSalesUserCache()}}
	config := salesUserResourceModel{CRMUserID: sfidNull(), CRMUsername: types.StringValue("integration@acme.example")}
	var diags diag.Diagnostics
	r.reportProblems([]*client.Error{
		{Code: client.CodeServiceAccountNotAllowed, CRMUsername: "integration@acme.example"},
		{Code: client.CodeProfileNotMapped, CRMProfileID: profileSalesRep, CRMProfileName: "System Administrator", ConnectionID: "conn_1"},
	}, config, "conn_1", &diags)
	if len(diags) != 1 || diags[0].Summary() != "Service Account Cannot Be A Sales User" {
		t.Fatalf("want only the service account error, got %v", diags)
	}
	if strings.Contains(diags[0].Detail(), "salesseat_profile_role_mapping") {
		t.Errorf("the service account is advised a mapping: %s", diags[0].Detail())
	}
}

// TestSalesUserProfileNotMappedWithRoleSet: with role set (a restore checks
// the deleted sales user's own role), the message does not say "set role".
func TestSalesUserProfileNotMappedWithRoleSet(t *testing.T) {
	r := &salesUserResource{data: &providerData{ledger: newSeatLedger(), salesUsers: newSalesUserCache()}}
	problem := &client.Error{Code: client.CodeProfileNotMapped, CRMProfileID: profileSalesRep, CRMProfileName: "Sales Rep", ConnectionID: "conn_1"}
	for _, role := range []types.String{types.StringNull(), types.StringValue("sales")} {
		config := salesUserResourceModel{CRMUserID: sfidNull(), CRMUsername: types.StringValue(usernameJordan), Role: role}
		var diags diag.Diagnostics
		r.reportProfileNotMapped(problem, config, "conn_1", "", &diags)
		if len(diags) != 1 {
			t.Fatalf("role %s: want one diagnostic, got %v", role, diags)
		}
		advisesRole := strings.Contains(diags[0].Detail(), "Set role on this resource")
		if advisesRole != role.IsNull() {
			t.Errorf("role %s: advises setting role = %t:\n%s", role, advisesRole, diags[0].Detail())
		}
	}
}

// TestSalesUserRefusalAlone: on a connection whose seats follow a
// Salesforce group, the dry run's refusal is the one diagnostic: no
// restore from the recycle bin is announced (none is possible by hand), and
// no profile mapping is advised.
func TestSalesUserRefusalAlone(t *testing.T) {
	r := &salesUserResource{data: &providerData{ledger: newSeatLedger(), salesUsers: newSalesUserCache()}} // no client: any API call panics
	config := salesUserResourceModel{CRMUserID: sfidtype.NewIDValue("0055A0000000009QAA"), CRMUsername: types.StringNull()}
	plan := config
	plan.ConnectionID, plan.RestoreFromRecycleBin = types.StringValue("conn_1"), types.BoolValue(true)
	var diags diag.Diagnostics
	r.reportCreateProblems(context.Background(), plan, config, nil, client.ValidationItem{Problems: []*client.Error{
		{Code: client.CodeUserManagementInSalesforce, ConnectionID: "conn_1", UserManagementGroup: "Sales_Team", CRMUsername: usernameRiley},
		{Code: client.CodeCRMUsernameMapped, CRMUsername: usernameRiley, InRecycleBin: true, ConflictingSalesUserID: "su_riley"},
		{Code: client.CodeProfileNotMapped, CRMProfileID: profileSalesRep, CRMProfileName: "Sales Rep", ConnectionID: "conn_1"},
	}}, &diags)
	if len(diags) != 1 || diags[0].Summary() != userManagedSummary || !strings.Contains(diags[0].Detail(), `"Sales_Team"`) {
		t.Errorf("diagnostics %v, want the refusal alone", diags)
	}
}
