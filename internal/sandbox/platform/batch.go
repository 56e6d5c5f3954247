package platform

import (
	"context"
	"fmt"
	"slices"

	"github.com/salesseat/terraform-provider-salesseat/internal/sandbox/salesforce"
)

// MaxBatchItems bounds one batch.
const MaxBatchItems = 500

// BatchResult is the outcome of a batch: every item applied or failed on
// its own.
type BatchResult struct {
	Applied int               `json:"applied"`
	Failed  int               `json:"failed"`
	Seats   BatchSeats        `json:"seats"`
	Items   []BatchItemResult `json:"items"`
}

// BatchSeats counts the seats before and after a batch.
type BatchSeats struct {
	SeatLimit       int `json:"seat_limit"`
	SeatsUsedBefore int `json:"seats_used_before"`
	SeatsUsed       int `json:"seats_used"`
}

// BatchItemResult is the outcome of one item: the sales user as the item
// left it, or the problem the single call would have failed with.
type BatchItemResult struct {
	Index       int        `json:"index"`
	Action      string     `json:"action"`
	Applied     bool       `json:"applied"`
	CRMUserID   string     `json:"crm_user_id,omitempty"`
	CRMUsername string     `json:"crm_username,omitempty"`
	SalesUser   *SalesUser `json:"sales_user,omitempty"`
	Problem     *Problem   `json:"problem,omitempty"`
}

// plannedRestore is a restore item after its CRM lookup.
type plannedRestore struct {
	plan restorePlan
	user salesforce.User
	prob *Problem
}

// Batch applies up to MaxBatchItems creates, updates, removals and restores
// on connection connID. Removals are applied first, then the other items in
// order, so the seats the batch frees count for its creates and restores.
// Each item succeeds or fails on its own with the problem of the single
// call; the batch fails as a whole only when it is malformed or its
// connection does not exist.
//
// The CRM is read before the lock is taken (creates in one query per batch,
// restores in another); the rules are then checked and the items applied in
// one scope, against the state as each earlier item left it.
func (p *Platform) Batch(ctx context.Context, connID string, items []ValidateItem) (BatchResult, error) {
	if connID == "" {
		return BatchResult{}, Validation("connection_id", "is required: the connection every item of the batch acts on")
	}
	if n := len(items); n == 0 || n > MaxBatchItems {
		return BatchResult{}, Validation("items", fmt.Sprintf("a batch takes 1 to %d items, got %d; split it", MaxBatchItems, n))
	}
	exists := view(p, func() bool { _, ok := p.conns[connID]; return ok })
	if !exists {
		return BatchResult{}, NotFound(ResourceConnection, connID)
	}
	items = slices.Clone(items)
	shape := make([]*Problem, len(items))
	seen := map[string]int{} // sales user ID -> index of the first item naming it
	for i := range items {
		it := &items[i]
		shape[i] = batchItemShape(i, *it, connID, seen)
		if it.Action == ActionCreate {
			it.ConnectionID = connID
		}
	}

	creates := p.planCreates(ctx, withoutFailed(items, shape))
	restores := p.planBatchRestores(ctx, connID, items, shape)

	return commit(p, func() (BatchResult, bool, error) {
		res := BatchResult{Items: make([]BatchItemResult, len(items))}
		res.Seats.SeatLimit = p.account.SeatLimit
		res.Seats.SeatsUsedBefore = p.seatsUsedLocked()
		apply := func(i int) {
			it := items[i]
			r := BatchItemResult{Index: i, Action: it.Action}
			var (
				out SalesUser
				err error
			)
			switch {
			case shape[i] != nil:
				err = shape[i]
			case it.Action == ActionRemove:
				out, err = p.batchRemoveLocked(connID, it.SalesUserID)
			case it.Action == ActionUpdate:
				out, err = p.batchUpdateLocked(connID, it)
			case it.Action == ActionRestore:
				out, err = p.batchRestoreLocked(connID, it, restores[i])
			case it.Action == ActionCreate:
				out, err = p.batchCreateLocked(connID, creates[i])
			}
			if err != nil {
				r.Problem = AsProblem(err)
				if pc := creates[i]; pc != nil && pc.user.ID != "" {
					r.CRMUserID, r.CRMUsername = pc.user.ID, pc.user.Username
				} else if u, ok := p.users[it.SalesUserID]; ok && it.SalesUserID != "" {
					r.CRMUserID, r.CRMUsername = u.CRMUserID, u.CRMUsername
				}
				res.Failed++
			} else {
				r.Applied, r.SalesUser = true, &out
				r.CRMUserID, r.CRMUsername = out.CRMUserID, out.CRMUsername
				res.Applied++
			}
			res.Items[i] = r
		}
		for i, it := range items {
			if it.Action == ActionRemove {
				apply(i)
			}
		}
		for i, it := range items {
			if it.Action != ActionRemove {
				apply(i)
			}
		}
		res.Seats.SeatsUsed = p.seatsUsedLocked()
		return res, res.Applied > 0, nil
	})
}

// batchItemShape checks what an item must carry for its action, and that it
// names a sales user no earlier item names.
func batchItemShape(i int, it ValidateItem, connID string, seen map[string]int) *Problem {
	switch it.Action {
	case ActionCreate:
		if it.SalesUserID != "" {
			return Validation("sales_user_id", "a create item names its CRM user with crm_user_id or crm_username, not sales_user_id")
		}
		if it.ConnectionID != "" && it.ConnectionID != connID {
			return Validation("connection_id", fmt.Sprintf("item connection %q differs from the batch's connection %q; a batch acts on one connection", it.ConnectionID, connID))
		}
		return nil
	case ActionUpdate, ActionRemove, ActionRestore:
		if it.SalesUserID == "" {
			return Validation("sales_user_id", fmt.Sprintf("a %s item needs sales_user_id", it.Action))
		}
		if it.CRMUserID != "" || it.CRMUsername != "" {
			return Validation("crm_user_id", fmt.Sprintf("a %s item names its sales user with sales_user_id only", it.Action))
		}
		if it.Action == ActionRemove && (it.Role != nil || it.Team != nil || it.HiddenComponents != nil) {
			return Validation("role", "a remove item takes no role, team or hidden_components")
		}
		if it.ConnectionID != "" && it.ConnectionID != connID {
			return Validation("connection_id", fmt.Sprintf("item connection %q differs from the batch's connection %q; a batch acts on one connection", it.ConnectionID, connID))
		}
		if first, dup := seen[it.SalesUserID]; dup {
			return Validation("sales_user_id", fmt.Sprintf("item %d of this batch already acts on sales user %s; name each sales user once", first, it.SalesUserID))
		}
		seen[it.SalesUserID] = i
		return nil
	}
	return Validation("action", fmt.Sprintf("action must be %q, %q, %q or %q, got %q", ActionCreate, ActionUpdate, ActionRemove, ActionRestore, it.Action))
}

// withoutFailed returns items with those that failed their shape check
// turned into no-ops, so planCreates reads no CRM user for them.
func withoutFailed(items []ValidateItem, shape []*Problem) []ValidateItem {
	out := slices.Clone(items)
	for i := range out {
		if shape[i] != nil {
			out[i].Action = ""
		}
	}
	return out
}

// planBatchRestores reads the CRM users of the restore items through the
// batch's connection, in one query. It runs without the lock.
func (p *Platform) planBatchRestores(ctx context.Context, connID string, items []ValidateItem, shape []*Problem) map[int]*plannedRestore {
	out := map[int]*plannedRestore{}
	byCRMID := map[string][]int{}
	p.locked(func() {
		for i, it := range items {
			if it.Action != ActionRestore || shape[i] != nil {
				continue
			}
			pr := &plannedRestore{}
			out[i] = pr
			plan, err := p.planRestoreLocked(it.SalesUserID, RestoreInput{ConnectionID: connID})
			if err != nil {
				pr.prob = AsProblem(err)
				continue
			}
			pr.plan = plan
			byCRMID[plan.crmID] = append(byCRMID[plan.crmID], i)
		}
	})
	if len(byCRMID) == 0 {
		return out
	}
	fail := func(prob *Problem) {
		for _, idx := range byCRMID {
			for _, i := range idx {
				out[i].prob = prob
			}
		}
	}
	sess, err := p.session(ctx, connID)
	if err != nil {
		fail(AsProblem(err))
		return out
	}
	ids := make([]string, 0, len(byCRMID))
	for id := range byCRMID {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	found, err := fetchUsersByID(ctx, sess.crm, ids)
	if err != nil {
		fail(AsProblem(p.crmError(connID, sess, err)))
		return out
	}
	for crmID, idx := range byCRMID {
		for _, i := range idx {
			pr := out[i]
			u, ok := found[crmID]
			switch {
			case ok:
				pr.user = u
			case pr.plan.ownExists:
				// Restored on its own connection, whose org no longer has
				// the CRM user: the single restore's answer.
				pr.prob = NotFound(ResourceCRMUser, crmID)
			default:
				pr.prob = p.wrongOrgProblem(ctx, items[i].SalesUserID, crmID, pr.plan.username, connID)
			}
		}
	}
	return out
}

// onConnectionLocked returns the live sales user id when it is on connID.
func (p *Platform) onConnectionLocked(connID, id string) (*SalesUserRecord, error) {
	u, err := p.liveLocked(id)
	if err != nil {
		return nil, err
	}
	if u.ConnectionID != connID {
		return nil, Validation("sales_user_id", fmt.Sprintf("sales user %s (%s) is on connection %s, not on the batch's connection %s", id, u.CRMUsername, u.ConnectionID, connID))
	}
	return u, nil
}

func (p *Platform) batchRemoveLocked(connID, id string) (SalesUser, error) {
	u, err := p.onConnectionLocked(connID, id)
	if err != nil {
		return SalesUser{}, err
	}
	p.recycleLocked(u, p.clock())
	return p.salesUserLocked(u), nil
}

func (p *Platform) batchUpdateLocked(connID string, it ValidateItem) (SalesUser, error) {
	u, err := p.onConnectionLocked(connID, it.SalesUserID)
	if err != nil {
		return SalesUser{}, err
	}
	patch, err := normalizeSalesUserPatch(it.Patch())
	if err != nil {
		return SalesUser{}, err
	}
	if prob := p.patchRulesLocked(u, patch); prob != nil {
		return SalesUser{}, prob
	}
	p.applyPatchLocked(u, patch)
	return p.salesUserLocked(u), nil
}

func (p *Platform) batchRestoreLocked(connID string, it ValidateItem, pr *plannedRestore) (SalesUser, error) {
	if pr.prob != nil {
		return SalesUser{}, pr.prob
	}
	patch, err := normalizeSalesUserPatch(it.Patch())
	if err != nil {
		return SalesUser{}, err
	}
	if _, err := p.restoreLocked(it.SalesUserID, connID, pr.user, patch.Role); err != nil {
		return SalesUser{}, err
	}
	u := p.users[it.SalesUserID]
	p.applyPatchLocked(u, patch)
	return p.salesUserLocked(u), nil
}

func (p *Platform) batchCreateLocked(connID string, pc *plannedCreate) (SalesUser, error) {
	if pc.prob != nil {
		return SalesUser{}, pc.prob
	}
	conn, err := p.connectedLocked(connID)
	if err != nil {
		return SalesUser{}, err
	}
	if probs := p.manualImportRulesLocked(conn, pc.user, pc.in.Role, ""); len(probs) > 0 {
		return SalesUser{}, probs[0]
	}
	if used := p.seatsUsedLocked(); used+1 > p.account.SeatLimit {
		return SalesUser{}, SeatLimitReached(used, p.account.SeatLimit, 1)
	}
	rec := p.insertLocked(conn, pc.user, pc.in.Role, pc.in.Team, pc.in.HiddenComponents, CreatedByAPI)
	return p.salesUserLocked(rec), nil
}
