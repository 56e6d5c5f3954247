package provider

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/salesseat/terraform-provider-salesseat/internal/client"
)

// seatLedger checks, at plan time, that the sales users a plan creates fit in
// the account's free seats, across every resource instance of the plan (a
// for_each over hundreds of CRM users is planned one instance at a time, and
// a per-instance dry run would see one free seat each time).
//
// A ledger lives as long as one provider configuration: Terraform configures
// a provider once per graph walk (plan, apply) in a fresh provider process,
// and the provider creates a new ledger in every Configure, so reservations
// never leak from one walk into the next.
//
// The seat snapshot is read once, on first use, and never refreshed. That is
// what keeps the apply walk consistent with the plan: Terraform calls
// PlanResourceChange again for every instance during apply, interleaved with
// the creates. Were the snapshot re-read, a later instance would see both the
// seats the earlier creates already took (in seats_used) and their
// reservations, count them twice, and fail an apply whose plan passed. With
// the snapshot taken first in the process, the apply walk reproduces the plan
// walk's arithmetic exactly.
//
// Planned destroys do not release seats: Terraform runs independent creates
// and destroys concurrently, so a create may reach the API before the destroy
// that would free its seat. Two kinds of seat are released (see release): the
// seat of a sales user the plan replaces, because Terraform destroys a
// replaced instance before creating its successor (unless the configuration
// sets create_before_destroy, when the apply, not the plan, reports a
// shortage), and the seat of a sales user this process has deleted after the
// snapshot was taken.
type seatLedger struct {
	mu sync.Mutex

	loaded bool
	limit  int
	used   int
	// budget is the provider's max_seats, when hasBudget: the plan's seats
	// count against the lower of it and the seat limit.
	budget    int
	hasBudget bool
	// reserved maps the key of every sales user planned for creation to its
	// position (from 1) in the order the reservations were made.
	reserved map[string]int
	// names maps the key of every reservation to how messages name it.
	names map[string]string
	// lastReserve is when the last new reservation was made.
	lastReserve time.Time
	// shortageKey is the key of the first reservation that did not fit, the
	// one that reports the shortage as an error; "" while all fit.
	shortageKey string
	// released holds the IDs of sales users whose seat is freed before the
	// plan's creates need it.
	released map[string]struct{}

	// mappings records the profile role mappings the plan creates or whose
	// role it changes, per connection ID: the profile IDs and names they
	// map, to the planned role ("" when unknown at plan).
	mappings map[string]map[string]string

	// managedBy maps the ID of every connection the plan keeps (or makes)
	// handing user management to a Salesforce group to that group.
	managedBy map[string]string
}

func newSeatLedger() *seatLedger {
	return &seatLedger{
		reserved:  make(map[string]int),
		names:     make(map[string]string),
		released:  make(map[string]struct{}),
		mappings:  make(map[string]map[string]string),
		managedBy: make(map[string]string),
	}
}

// seatCheck is the outcome of a reservation.
type seatCheck struct {
	// OK reports whether this reservation fits: it is among the first Free
	// ones.
	OK bool
	// First reports, for a reservation that does not fit, whether it is the
	// first of this ledger not to fit (or that one planned again): the one
	// that reports the shortage as an error, while every later one only
	// warns. A plan fails as a whole on one error, so one is enough.
	First bool
	// Planned is the number of sales users planned for creation so far, a
	// lower bound of the plan's total: Terraform plans them one at a time.
	Planned int
	// Limit is the seat limit; Used the seats in use without the released
	// ones; Free the seats left for the plan's creates (under the budget,
	// when it is the lower bound).
	Limit, Used, Free int
	// Budget is the provider's max_seats when it is set and below the seat
	// limit, 0 otherwise.
	Budget int
}

// reserve records that the plan creates the sales user identified by key (the
// connection and the CRM user, so planning the same instance twice reserves
// one seat, and gets the same answer) and reports whether it fits in the
// free seats, being among the first Free reservations. The snapshot is read
// through read on first use.
//
// Because the snapshot and the reservations are per process, the apply
// walk's re-plan repeats the plan walk's answers: a plan that passed does
// not fail at apply, and the first shortage is the first of its own walk.
func (l *seatLedger) reserve(ctx context.Context, key, name string, read func(context.Context) (*client.Account, error)) (seatCheck, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.loaded {
		acc, err := read(ctx)
		if err != nil {
			return seatCheck{}, err
		}
		l.limit, l.used, l.loaded = acc.SeatLimit, acc.SeatsUsed, true
	}
	pos, ok := l.reserved[key]
	if !ok {
		pos = len(l.reserved) + 1
		l.reserved[key] = pos
		l.names[key] = name
		l.lastReserve = time.Now()
	}
	c := l.checkLocked()
	c.OK = pos <= c.Free
	if !c.OK && (l.shortageKey == "" || l.shortageKey == key) {
		l.shortageKey, c.First = key, true
	}
	return c, nil
}

// settle waits until no reservation has been made for quiet (Terraform has
// planned every sales user it was going to: they are planned concurrently,
// and the first that does not fit waits here so that its one error states
// the plan's totals), then returns the totals and the names of every
// planned sales user, sorted, so the message is the same on every run.
func (l *seatLedger) settle(ctx context.Context, quiet time.Duration) (seatCheck, []string) {
	for {
		l.mu.Lock()
		wait := time.Until(l.lastReserve.Add(quiet))
		l.mu.Unlock()
		if wait <= 0 {
			break
		}
		select {
		case <-ctx.Done():
		case <-time.After(wait):
			continue
		}
		break
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	c := l.checkLocked()
	names := make([]string, 0, len(l.names))
	for _, n := range l.names {
		names = append(names, n)
	}
	slices.Sort(names)
	return c, names
}

// checkLocked is the ledger's totals; l.mu must be held.
func (l *seatLedger) checkLocked() seatCheck {
	used := max(l.used-len(l.released), 0)
	c := seatCheck{Planned: len(l.reserved), Limit: l.limit, Used: used}
	ceiling := l.limit
	if l.hasBudget && l.budget < l.limit {
		ceiling, c.Budget = l.budget, l.budget
	}
	c.Free = max(ceiling-used, 0)
	return c
}

// release frees the seat of the sales user with the given ID, once however
// often it is called: planned is true for a sales user the plan replaces
// (always counted), false for one this process has deleted (counted only if
// the snapshot was taken before, since a later snapshot already reflects
// the deletion).
func (l *seatLedger) release(salesUserID string, planned bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if planned || l.loaded {
		l.released[salesUserID] = struct{}{}
	}
}

// freed reports whether the seat of the sales user with the given ID has been
// released: the plan replaces it, or this process has deleted it.
func (l *seatLedger) freed(salesUserID string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	_, ok := l.released[salesUserID]
	return ok
}

// planMapping records that the plan creates a role mapping for a profile
// (by ID or name) on a connection, or changes its role, to role ("" when
// unknown at plan).
func (l *seatLedger) planMapping(connectionID, profileKey, role string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	m, ok := l.mappings[connectionID]
	if !ok {
		m = make(map[string]string)
		l.mappings[connectionID] = m
	}
	if profileKey != "" {
		m[profileKey] = role
	}
}

// plannedRole reports whether the plan creates or changes the role mapping
// of the profile with one of the keys on the connection, and the role it
// plans ("" when unknown at plan).
func (l *seatLedger) plannedRole(connectionID string, profileKeys ...string) (role string, planned bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, k := range profileKeys {
		if r, hit := l.mappings[connectionID][k]; hit && k != "" {
			return r, true
		}
	}
	return "", false
}

// plannedMappings reports whether the plan creates any role mapping on the
// connection, and whether one of them is for a profile with one of the keys.
func (l *seatLedger) plannedMappings(connectionID string, profileKeys ...string) (anyPlanned, forProfile bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	m, ok := l.mappings[connectionID]
	if !ok {
		return false, false
	}
	for _, k := range profileKeys {
		if _, hit := m[k]; hit && k != "" {
			return true, true
		}
	}
	return true, false
}

// ledgerUserKey identifies the CRM user in the seat ledger.
func ledgerUserKey(config salesUserResourceModel) string {
	if !config.CRMUserID.IsNull() {
		return "id:" + normalizedID(config.CRMUserID.ValueString())
	}
	return "username:" + strings.ToLower(config.CRMUsername.ValueString())
}

// profileKeys are the ledger keys of a profile.
func profileKeys(id, name string) []string {
	keys := []string{}
	if id != "" {
		keys = append(keys, "id:"+normalizedID(id))
	}
	if name != "" {
		keys = append(keys, "name:"+strings.ToLower(name))
	}
	return keys
}

// planManagedConnection records that the plan leaves the connection handing
// user management to the Salesforce group (recorded by the connection's
// own plan, which Terraform makes before the plans of the resources that
// reference it).
func (l *seatLedger) planManagedConnection(connectionID, group string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.managedBy[connectionID] = group
}

// managedGroup returns the Salesforce group the plan leaves user
// management of the connection to, if any.
func (l *seatLedger) managedGroup(connectionID string) (string, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	g, ok := l.managedBy[connectionID]
	return g, ok
}
