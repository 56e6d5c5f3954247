package provider

import (
	"context"
	"sync"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/salesseat/terraform-provider-salesseat/internal/client"
)

// salesUserCache makes refreshing many sales users cheap. The first Read of
// a sales user of a connection in a provider process lists the connection's
// sales users, 1,000 per page, so refreshing 10,000 sales users takes about
// 10 requests instead of 10,000. (The platform keeps name, email and the
// active flag current from the CRM itself, so a refresh only reads: it never
// asks for an "update from CRM", which would be a write during plan.)
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
	// listings holds the sales users of a connection by ID; nil marks a
	// listing that failed, so a broken listing costs one request, not one
	// per resource.
	listings map[string]map[string]*client.SalesUser
}

func newSalesUserCache() *salesUserCache {
	return &salesUserCache{
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
