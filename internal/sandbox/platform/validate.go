package platform

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/salesseat/terraform-provider-salesseat/internal/sandbox/salesforce"
)

// MaxValidateItems bounds one dry run. It writes nothing, so it takes a
// whole roster of 10,000 in one request, where a batch takes 500.
const MaxValidateItems = 10000

// plannedCreate is a create item after its CRM lookup.
type plannedCreate struct {
	in   SalesUserInput
	user salesforce.User
	prob *Problem // input, connection or lookup problem; the rules are not checked then
}

// Validate is a dry run of sales user creates, updates, removals and
// restores: every item gets the problems the real call would fail with, and
// nothing changes. Seats are counted as Batch counts them: the valid
// removals free their seats first, then the creates and restores take seats
// in order, so the item that would exceed the limit carries
// seat_limit_reached. A restore is checked against the CRM data its recycle
// bin entry holds (the real call reads the CRM again).
func (p *Platform) Validate(ctx context.Context, items []ValidateItem) (ValidationResult, error) {
	if len(items) > MaxValidateItems {
		return ValidationResult{}, Validation("items", fmt.Sprintf("a dry run takes at most %d items, got %d; split it", MaxValidateItems, len(items)))
	}
	creates := p.planCreates(ctx, items)

	return viewErr(p, func() (ValidationResult, error) { return p.validateLocked(items, creates), nil })
}

// validateLocked checks every item against the state, given the CRM lookups
// of the create items.
func (p *Platform) validateLocked(items []ValidateItem, creates map[int]*plannedCreate) ValidationResult {
	acc := p.accountLocked()
	res := ValidationResult{
		Valid: true,
		Seats: Seats{SeatLimit: acc.SeatLimit, SeatsUsed: acc.SeatsUsed, SeatsAvailable: acc.SeatsAvailable},
		Items: make([]ValidationItem, len(items)),
	}
	batchUsernames := map[string]int{} // lower(username) -> index of the create item that takes it
	removed := map[string]int{}        // sales user ID -> index of the remove item
	for i, it := range items {
		if it.Action != ActionRemove {
			continue
		}
		if _, err := p.liveLocked(it.SalesUserID); err == nil && it.SalesUserID != "" {
			if _, dup := removed[it.SalesUserID]; !dup {
				removed[it.SalesUserID] = i
			}
		}
	}
	res.Seats.SeatsFreed = len(removed)
	takes := 0 // seats taken by the creates and restores so far
	takeSeat := func(vi *ValidationItem) {
		res.Seats.SeatsRequested++
		if acc.SeatsUsed-res.Seats.SeatsFreed+takes+1 > acc.SeatLimit {
			vi.Problems = append(vi.Problems, seatLimitInBatch(acc.SeatsUsed, res.Seats.SeatsFreed, takes, acc.SeatLimit))
		}
		takes++
	}
	for i, it := range items {
		vi := ValidationItem{Index: i, Problems: []*Problem{}}
		switch it.Action {
		case ActionCreate:
			pc := creates[i]
			if pc.prob != nil {
				vi.Problems = append(vi.Problems, pc.prob)
			} else {
				vi.CRMUserID, vi.CRMUsername = pc.user.ID, pc.user.Username
				vi.CRMUser = p.crmUserLocked(pc.user)
				vi.Role, vi.RoleSource = p.effectiveRoleLocked(pc.in.ConnectionID, pc.user.ProfileID, pc.in.Role)
				if conn, err := p.connectedLocked(pc.in.ConnectionID); err != nil {
					vi.Problems = append(vi.Problems, AsProblem(err))
				} else {
					vi.Problems = append(vi.Problems, p.manualImportRulesLocked(conn, pc.user, pc.in.Role, "")...)
				}
				key := strings.ToLower(pc.user.Username)
				if first, dup := batchUsernames[key]; dup {
					prob := Validation("crm_user_id", fmt.Sprintf("item %d of this batch already imports CRM user %q; a CRM user can hold only one sales user", first, pc.user.Username))
					vi.Problems = append(vi.Problems, prob)
				} else {
					batchUsernames[key] = i
				}
			}
			takeSeat(&vi)
		case ActionRemove:
			if it.SalesUserID == "" {
				vi.Problems = append(vi.Problems, Validation("sales_user_id", "a remove item needs sales_user_id"))
			} else if u, err := p.liveLocked(it.SalesUserID); err != nil {
				vi.Problems = append(vi.Problems, AsProblem(err))
			} else {
				vi.CRMUserID, vi.CRMUsername = u.CRMUserID, u.CRMUsername
				if first := removed[it.SalesUserID]; first != i {
					vi.Problems = append(vi.Problems, Validation("sales_user_id", fmt.Sprintf("item %d of this batch already removes sales user %s", first, it.SalesUserID)))
				}
			}
		case ActionRestore:
			vi.Problems = append(vi.Problems, p.restoreRulesLocked(it, &vi)...)
			takeSeat(&vi)
		case ActionUpdate:
			if it.SalesUserID == "" {
				vi.Problems = append(vi.Problems, Validation("sales_user_id", "an update item needs sales_user_id"))
			} else if u, err := p.liveLocked(it.SalesUserID); err != nil {
				vi.Problems = append(vi.Problems, AsProblem(err))
			} else {
				vi.CRMUserID, vi.CRMUsername = u.CRMUserID, u.CRMUsername
				if patch, err := normalizeSalesUserPatch(it.Patch()); err != nil {
					vi.Problems = append(vi.Problems, AsProblem(err))
				} else if prob := p.patchRulesLocked(u, patch); prob != nil {
					vi.Problems = append(vi.Problems, prob)
				}
			}
		default:
			vi.Problems = append(vi.Problems, Validation("action", fmt.Sprintf("action must be %q, %q, %q or %q, got %q", ActionCreate, ActionUpdate, ActionRemove, ActionRestore, it.Action)))
		}
		vi.Valid = len(vi.Problems) == 0
		res.Valid = res.Valid && vi.Valid
		res.Items[i] = vi
	}
	return res
}

// seatLimitInBatch is the seat_limit_reached problem of a create or restore
// item after the batch's removals (freed) and its earlier creates and
// restores (earlier).
func seatLimitInBatch(used, freed, earlier, limit int) *Problem {
	prob := SeatLimitReached(used-freed+earlier, limit, 1)
	switch {
	case freed > 0:
		prob.Detail = fmt.Sprintf("The account uses %d of %d seats; the %d removals of this batch free %d and its %d earlier imports and restores take %d, so this one would exceed the seat limit. %s",
			used, limit, freed, freed, earlier, earlier, seatLimitFix)
	case earlier > 0:
		prob.Detail = fmt.Sprintf("The account uses %d of %d seats and the %d earlier imports of this batch would take %d more, so importing this sales user would exceed the seat limit. %s",
			used, limit, earlier, earlier, seatLimitFix)
	}
	return prob
}

// restoreRulesLocked dry-runs a restore: the recycle bin entry must exist
// and be restorable onto the item's connection (or its own), and the import
// rules must hold for the CRM user as the entry last saw it.
func (p *Platform) restoreRulesLocked(it ValidateItem, vi *ValidationItem) []*Problem {
	if it.SalesUserID == "" {
		return []*Problem{Validation("sales_user_id", "a restore item needs sales_user_id")}
	}
	plan, err := p.planRestoreLocked(it.SalesUserID, RestoreInput{ConnectionID: it.ConnectionID})
	if err != nil {
		return []*Problem{AsProblem(err)}
	}
	u := p.users[it.SalesUserID]
	vi.CRMUserID, vi.CRMUsername = u.CRMUserID, u.CRMUsername
	cu := salesforce.User{ID: u.CRMUserID, Username: u.CRMUsername, Email: u.Email, FirstName: u.FirstName, LastName: u.LastName,
		Active: u.CRMActive, ProfileID: u.CRMProfileID, ProfileName: u.CRMProfileName}
	vi.CRMUser = p.crmUserLocked(cu)
	patch, err := normalizeSalesUserPatch(it.Patch())
	if err != nil {
		return []*Problem{AsProblem(err)}
	}
	role := u.Role
	if patch.Role != nil {
		role = *patch.Role
	}
	target := u.ConnectionID
	if !plan.ownExists && it.ConnectionID != "" {
		target = it.ConnectionID
	}
	profileKnown := u.CRMProfileID != "" // a seeded entry may predate what the CRM says of its user
	if profileKnown || role != "" {
		vi.Role, vi.RoleSource = p.effectiveRoleLocked(target, u.CRMProfileID, role)
	}
	if len(plan.candidates) != 1 || (!plan.ownExists && it.ConnectionID == "") {
		return nil // the connection is found by reading the CRM; the real call checks it
	}
	conn, err := p.connectedLocked(plan.candidates[0])
	if err != nil {
		return []*Problem{AsProblem(err)}
	}
	probs := p.manualImportRulesLocked(conn, cu, role, u.ID)
	if !profileKnown {
		// Which profile, and so which mapping, is read from the CRM by the
		// real call; the dry run cannot tell.
		probs = slices.DeleteFunc(probs, func(pr *Problem) bool { return pr.Code == CodeProfileNotMapped })
	}
	if other, ok := p.liveByCRMID[u.CRMUserID]; ok && other != u.ID {
		probs = append(probs, CRMUsernameMapped(u.CRMUsername, Conflict{SalesUserID: other, Email: p.users[other].Email, Name: fullName(p.users[other].FirstName, p.users[other].LastName)}))
	}
	return probs
}

// planCreates normalizes every create item and reads its CRM user, batching
// the reads by connection. It runs without the lock.
func (p *Platform) planCreates(ctx context.Context, items []ValidateItem) map[int]*plannedCreate {
	out := map[int]*plannedCreate{}
	byConn := map[string][]int{}
	for i, it := range items {
		if it.Action != ActionCreate {
			continue
		}
		in, err := normalizeSalesUserInput(it.CreateInput())
		pc := &plannedCreate{in: in}
		if err != nil {
			pc.prob = AsProblem(err)
		} else {
			byConn[in.ConnectionID] = append(byConn[in.ConnectionID], i)
		}
		out[i] = pc
	}
	for connID, idx := range byConn {
		sess, err := p.session(ctx, connID)
		if err != nil {
			for _, i := range idx {
				out[i].prob = AsProblem(err)
			}
			continue
		}
		var ids []string
		for _, i := range idx {
			if out[i].in.CRMUserID != "" {
				ids = append(ids, out[i].in.CRMUserID)
			}
		}
		found, err := fetchUsersByID(ctx, sess.crm, ids)
		if err != nil {
			prob := AsProblem(p.crmError(connID, sess, err))
			for _, i := range idx {
				out[i].prob = prob
			}
			continue
		}
		for _, i := range idx {
			pc := out[i]
			if pc.in.CRMUserID != "" {
				u, ok := found[pc.in.CRMUserID]
				if !ok {
					pc.prob = NotFound(ResourceCRMUser, pc.in.CRMUserID)
				}
				pc.user = u
				continue
			}
			u, err := p.lookupCRMUser(ctx, connID, sess, "", pc.in.CRMUsername)
			if err != nil {
				if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
					pc.prob = Unavailable("The dry run was canceled before the CRM answered; retry it.")
				} else {
					pc.prob = AsProblem(err)
				}
				continue
			}
			pc.user = u
		}
	}
	return out
}

// crmUserLocked renders a CRM user as the API lists it.
func (p *Platform) crmUserLocked(u salesforce.User) *CRMUser {
	return &CRMUser{
		ID: u.ID, Username: u.Username, Email: u.Email, FirstName: u.FirstName, LastName: u.LastName,
		Active: u.Active, ProfileID: u.ProfileID, ProfileName: u.ProfileName, UserRole: u.UserRoleName,
		SalesUserID: p.liveByCRMID[u.ID],
	}
}

// effectiveRoleLocked is the role a sales user of a profile on a connection
// gets, and its source: the explicit role when set, else the profile
// mapping's ("" without one).
func (p *Platform) effectiveRoleLocked(connID, profileID, explicit string) (string, string) {
	if explicit != "" {
		return explicit, RoleSourceExplicit
	}
	if m := p.mappingForLocked(connID, profileID); m != nil {
		return m.Role, RoleSourceProfileMapping
	}
	return "", RoleSourceProfileMapping
}
