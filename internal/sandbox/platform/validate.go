package platform

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/salesseat/terraform-provider-salesseat/internal/sandbox/salesforce"
)

// MaxValidateItems bounds one dry run.
const MaxValidateItems = 10000

// plannedCreate is a create item after its CRM lookup.
type plannedCreate struct {
	in   SalesUserInput
	user salesforce.User
	prob *Problem // input, connection or lookup problem; the rules are not checked then
}

// Validate is a dry run of sales user creates and updates: every item gets
// the problems the real call would fail with, and nothing changes. Seats are
// counted cumulatively over the create items in order, so the item that
// would exceed the limit carries seat_limit_reached.
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
	for i, it := range items {
		vi := ValidationItem{Index: i, Problems: []*Problem{}}
		switch it.Action {
		case ActionCreate:
			res.Seats.SeatsRequested++
			pc := creates[i]
			if pc.prob != nil {
				vi.Problems = append(vi.Problems, pc.prob)
			} else {
				vi.CRMUserID, vi.CRMUsername = pc.user.ID, pc.user.Username
				if conn, err := p.connectedLocked(pc.in.ConnectionID); err != nil {
					vi.Problems = append(vi.Problems, AsProblem(err))
				} else {
					vi.Problems = append(vi.Problems, p.importRulesLocked(conn, pc.user, pc.in.Role, "")...)
				}
				key := strings.ToLower(pc.user.Username)
				if first, dup := batchUsernames[key]; dup {
					prob := Validation("crm_user_id", fmt.Sprintf("item %d of this batch already imports CRM user %q; a CRM user can hold only one sales user", first, pc.user.Username))
					vi.Problems = append(vi.Problems, prob)
				} else {
					batchUsernames[key] = i
				}
			}
			earlier := res.Seats.SeatsRequested - 1
			if acc.SeatsUsed+earlier+1 > acc.SeatLimit {
				vi.Problems = append(vi.Problems, seatLimitInBatch(acc.SeatsUsed, earlier, acc.SeatLimit))
			}
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
			vi.Problems = append(vi.Problems, Validation("action", fmt.Sprintf("action must be %q or %q, got %q", ActionCreate, ActionUpdate, it.Action)))
		}
		vi.Valid = len(vi.Problems) == 0
		res.Valid = res.Valid && vi.Valid
		res.Items[i] = vi
	}
	return res
}

// seatLimitInBatch is the seat_limit_reached problem of a create item that
// follows earlier creates of the same batch.
func seatLimitInBatch(used, earlier, limit int) *Problem {
	prob := SeatLimitReached(used+earlier, limit, 1)
	if earlier > 0 {
		prob.Detail = fmt.Sprintf("The account uses %d of %d seats and the %d earlier imports of this batch would take %d more, so importing this sales user would exceed the seat limit. %s",
			used, limit, earlier, earlier, seatLimitFix)
	}
	return prob
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
