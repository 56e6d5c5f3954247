package provider

import (
	"context"
	"sync"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/salesseat/terraform-provider-salesseat/internal/client"
)

// salesUserCache makes refreshing many sales users cheap. The first Read of
// a sales user of a connection in a provider process
//
//  1. asks the platform to update that connection's sales users from the CRM
//     (one request for all of them), so name, email and the active flag
//     follow Salesforce and a user deactivated there shows up in the plan;
//  2. lists the connection's sales users, 1,000 per page, so refreshing
//     10,000 sales users takes about 10 requests instead of 10,000.
//
// Later Reads are served from the listing. A Read whose ID is not in the
// listing falls back to a Read by ID, so a user created after the listing is
// never wrongly reported as gone.
//
// Any write this process makes (to a sales user, a connection or a role
// mapping, all of which can change a sales user) drops the listings, so a
// Read never returns data older than the process's own changes.
type salesUserCache struct {
	mu sync.Mutex
	// updated records the connections already updated from the CRM in this
	// process; it survives invalidation (one update per refresh is enough).
	updated map[string]bool
	// listings holds the sales users of a connection by ID; nil marks a
	// listing that failed, so a broken listing costs one request, not one
	// per resource.
	listings map[string]map[string]*client.SalesUser
}

func newSalesUserCache() *salesUserCache {
	return &salesUserCache{
		updated:  make(map[string]bool),
		listings: make(map[string]map[string]*client.SalesUser),
	}
}

// get returns the sales user with the given ID of the given connection,
// loading the connection's listing on first use. ok is false when the listing
// is unavailable or does not contain the ID; the caller then reads the user by
// ID.
//
// Loading holds the lock, so the Reads Terraform runs in parallel wait for
// one listing instead of each starting their own.
func (c *salesUserCache) get(ctx context.Context, cl *client.Client, connectionID, id string) (*client.SalesUser, bool) {
	if connectionID == "" {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	listing, loaded := c.listings[connectionID]
	if !loaded {
		if !c.updated[connectionID] {
			c.updated[connectionID] = true
			// Best effort: a disconnected connection cannot reach the CRM
			// (its sales users show status "suspended" instead), and an API
			// client without the write scope cannot ask for the update.
			if n, err := cl.Connections.UpdateFromCRM(ctx, connectionID); err != nil {
				tflog.Debug(ctx, "Could not update sales users from the CRM; using the platform's last copy", map[string]any{
					"connection_id": connectionID, "error": err.Error(),
				})
			} else {
				tflog.Debug(ctx, "Updated sales users from the CRM", map[string]any{"connection_id": connectionID, "updated": n})
			}
		}
		listing = make(map[string]*client.SalesUser)
		for u, err := range cl.SalesUsers.List(ctx, client.SalesUserListOptions{ConnectionID: connectionID, PageSize: pageSize}) {
			if err != nil {
				tflog.Debug(ctx, "Could not list sales users; reading them one by one", map[string]any{
					"connection_id": connectionID, "error": err.Error(),
				})
				listing = nil
				break
			}
			listing[u.ID] = u
		}
		c.listings[connectionID] = listing
	}
	su, ok := listing[id]
	return su, ok
}

// invalidate drops the listings after a write.
func (c *salesUserCache) invalidate() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.listings)
}
