package provider

import (
	"testing"

	"github.com/salesseat/terraform-provider-salesseat/internal/client"
)

// TestRosterUpdateItem checks that a member's update sends only what differs
// from its sales user, and that following the profile mapping again is sent
// as role "".
func TestRosterUpdateItem(t *testing.T) {
	explicit := &client.SalesUser{ID: "su_1", Role: "sales_manager", RoleSource: client.RoleSourceExplicit, Team: "West", HiddenComponents: []string{"hot_prospects"}}
	mapped := &client.SalesUser{ID: "su_2", Role: "sales", RoleSource: client.RoleSourceProfileMapping, HiddenComponents: []string{}}
	cases := map[string]struct {
		cur               *client.SalesUser
		want              wantMember
		changed           bool
		role, team        *string
		hidden            []string
		hiddenWantCleared bool
	}{
		"same":                       {cur: explicit, want: wantMember{role: "sales_manager", team: "West", hidden: []string{"hot_prospects"}}},
		"a mapped role is not sent":  {cur: mapped, want: wantMember{hidden: []string{}}},
		"explicit to mapping":        {cur: explicit, want: wantMember{team: "West", hidden: []string{"hot_prospects"}}, changed: true, role: ptr("")},
		"mapping to explicit":        {cur: mapped, want: wantMember{role: "administrator", hidden: []string{}}, changed: true, role: ptr("administrator")},
		"team cleared":               {cur: explicit, want: wantMember{role: "sales_manager", hidden: []string{"hot_prospects"}}, changed: true, team: ptr("")},
		"hidden components cleared":  {cur: explicit, want: wantMember{role: "sales_manager", team: "West", hidden: []string{}}, changed: true, hiddenWantCleared: true},
		"hidden components replaced": {cur: explicit, want: wantMember{role: "sales_manager", team: "West", hidden: []string{"sent_messages"}}, changed: true, hidden: []string{"sent_messages"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			item, changed := updateItem(tc.cur, &tc.want)
			if changed != tc.changed {
				t.Fatalf("changed = %v, want %v (item %+v)", changed, tc.changed, item)
			}
			if !changed {
				return
			}
			if item.Action != client.ValidateActionUpdate || item.SalesUserID != tc.cur.ID {
				t.Errorf("item = %+v", item)
			}
			if !equalPtr(item.Role, tc.role) || !equalPtr(item.Team, tc.team) {
				t.Errorf("role %v team %v, want %v %v", deref(item.Role), deref(item.Team), deref(tc.role), deref(tc.team))
			}
			switch {
			case tc.hiddenWantCleared:
				if item.HiddenComponents == nil || len(item.HiddenComponents) != 0 {
					t.Errorf("hidden components %#v, want an empty, non-nil list (clear them)", item.HiddenComponents)
				}
			case tc.hidden != nil:
				if len(item.HiddenComponents) != len(tc.hidden) || item.HiddenComponents[0] != tc.hidden[0] {
					t.Errorf("hidden components %v, want %v", item.HiddenComponents, tc.hidden)
				}
			}
		})
	}
}
