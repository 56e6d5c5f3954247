package provider

import (
	"fmt"
	"sync"
)

// seatClaims records, for one plan, which resource declares each CRM user of
// a connection, so that two resources declaring the same CRM user (two
// rosters, or a roster and a salesseat_sales_user) fail the plan instead of
// fighting at apply, and an exclusive roster beside other declarations on
// its connection fails too.
//
// Terraform does not tell a provider the address of the resource it plans;
// a claimant is described by what identifies it in the configuration
// (resource type, connection and key), which names it well enough to find.
type seatClaims struct {
	mu        sync.Mutex
	seq       int
	users     map[string]map[string]claimant // connection -> CRM user ID -> claimant
	exclusive map[string]claimant            // connection -> exclusive roster
	others    map[string]claimant            // connection -> first non-exclusive claimant
}

// claimant is one resource instance's claim: token tells instances apart
// (two may read alike), desc names it for messages.
type claimant struct {
	token int
	desc  string
	// owner, when not empty, names the sales user an instance stands for
	// (its ID): the two plan calls of a replacement are one claimant.
	owner string
}

// same reports whether two claims are one instance's.
func (c claimant) same(o claimant) bool {
	return c.token == o.token || (c.owner != "" && c.owner == o.owner)
}

func newSeatClaims() *seatClaims {
	return &seatClaims{users: map[string]map[string]claimant{}, exclusive: map[string]claimant{}, others: map[string]claimant{}}
}

// claim records that claimant declares the CRM users (18-character IDs) on
// a connection. It returns one message per conflict, naming both sides.
// An exclusive claimant conflicts with every other claimant on the
// connection.
//
// Each call is one instance's claim (Terraform plans an instance once per
// walk, and the claims live as long as the walk's provider configuration).
func (c *seatClaims) claim(connectionID, desc string, exclusive bool, crmUserIDs []string) []string {
	return c.claimAs("", connectionID, desc, exclusive, crmUserIDs)
}

// claimAs is claim for an instance that stands for the sales user owner
// (its ID; "" when it has none yet): Terraform plans a replacement in two
// calls, the old instance and its create half, which must not conflict.
func (c *seatClaims) claimAs(owner, connectionID, desc string, exclusive bool, crmUserIDs []string) []string {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	me := claimant{token: c.seq, desc: desc, owner: owner}
	var conflicts []string
	if exclusive {
		if other, ok := c.exclusive[connectionID]; ok {
			conflicts = append(conflicts, fmt.Sprintf("%s and %s are both exclusive on connection %s; only one roster can own every seat of a connection.", desc, other.desc, connectionID))
		} else if other, ok := c.others[connectionID]; ok {
			conflicts = append(conflicts, fmt.Sprintf("%s is exclusive on connection %s, but %s also declares sales users on it; an exclusive roster would remove them. "+
				"Move those sales users into the roster, or set exclusive = false.", desc, connectionID, other.desc))
		}
		c.exclusive[connectionID] = me
	} else {
		if other, ok := c.exclusive[connectionID]; ok {
			conflicts = append(conflicts, fmt.Sprintf("%s declares sales users on connection %s, but %s is exclusive on it and would remove them. "+
				"Move them into that roster, or set exclusive = false there.", desc, connectionID, other.desc))
		}
		if _, ok := c.others[connectionID]; !ok {
			c.others[connectionID] = me
		}
	}
	users, ok := c.users[connectionID]
	if !ok {
		users = map[string]claimant{}
		c.users[connectionID] = users
	}
	for _, id := range crmUserIDs {
		if other, ok := users[id]; ok && !other.same(me) {
			conflicts = append(conflicts, fmt.Sprintf("CRM user %s is declared by %s and by %s; a CRM user can hold only one sales user. Declare it in one of them.", id, other.desc, desc))
			continue
		}
		users[id] = me
	}
	return conflicts
}

// claimKey records that desc declares key (e.g. a profile mapped on the
// connection) and returns the description of another instance that
// declared it first in this plan, if any.
func (c *seatClaims) claimKey(connectionID, key, desc string) (other string, taken bool) {
	if c == nil {
		return "", false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	users, ok := c.users[connectionID]
	if !ok {
		users = map[string]claimant{}
		c.users[connectionID] = users
	}
	if first, ok := users[key]; ok {
		return first.desc, true
	}
	users[key] = claimant{token: c.seq, desc: desc}
	return "", false
}
