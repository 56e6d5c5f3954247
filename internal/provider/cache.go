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
	// restorable holds, per connection, the recycle bin entries a roster on
	// it may restore (see restorableEntries).
	restorable map[string]map[string]*client.SalesUser
}

func newSalesUserCache() *salesUserCache {
	return &salesUserCache{
		listings:   make(map[string]map[string]*client.SalesUser),
		restorable: make(map[string]map[string]*client.SalesUser),
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

// all returns the live sales users of a connection keyed by CRM user ID,
// from the connection's listing (loaded on first use, shared with get). A
// listing that fails is an error here: a roster must not plan against a
// partial view of its connection.
func (c *salesUserCache) all(ctx context.Context, cl *client.Client, connectionID string) (map[string]*client.SalesUser, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	listing, loaded := c.listings[connectionID]
	if !loaded || listing == nil {
		listing = make(map[string]*client.SalesUser)
		for u, err := range cl.SalesUsers.List(ctx, client.SalesUserListOptions{ConnectionID: connectionID, PageSize: pageSize}) {
			if err != nil {
				return nil, err
			}
			listing[u.ID] = u
		}
		c.listings[connectionID] = listing
	}
	out := make(map[string]*client.SalesUser, len(listing))
	for _, u := range listing {
		out[u.CRMUserID] = u
	}
	return out, nil
}

// invalidate drops the listings after a write.
func (c *salesUserCache) invalidate() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.listings)
	clear(c.restorable)
}

// restorableEntries returns the recycle bin entries a roster on connID may
// restore, by CRM user ID: those deleted from connID, and those whose
// connection no longer exists (a restore brings a sales user back on its own
// connection while that exists, as salesseat_sales_user does). Of several
// entries of one CRM user, the newest wins. The listing is made once per
// process until it writes, so the plan and the apply of a walk share it.
func (c *salesUserCache) restorableEntries(ctx context.Context, cl *client.Client, connID string) (map[string]*client.SalesUser, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if out, ok := c.restorable[connID]; ok {
		return out, nil
	}
	exists := map[string]bool{}
	for conn, err := range cl.Connections.List(ctx, client.ListOptions{PageSize: pageSize}) {
		if err != nil {
			return nil, err
		}
		exists[conn.ID] = true
	}
	out := map[string]*client.SalesUser{}
	for su, err := range cl.RecycleBin.List(ctx, client.RecycleBinListOptions{PageSize: pageSize}) {
		if err != nil {
			return nil, err
		}
		if su.ConnectionID != connID && exists[su.ConnectionID] {
			continue
		}
		if prev, ok := out[su.CRMUserID]; !ok || su.DeletedAt.After(prev.DeletedAt) {
			out[su.CRMUserID] = su
		}
	}
	c.restorable[connID] = out
	return out, nil
}

// recycleBin finds the recycle bin entries that hold CRM usernames, for the
// lifetime of one provider process.
//
// Sales users this process deletes are recorded as they go, so the create
// half of a replacement, planned again during apply right after the destroy,
// finds the replaced sales user without a request. Other entries come from
// a listing of the recycle bin, made on first use (per connection, then of
// the whole bin for entries whose connection is gone), 1,000 per page: a
// plan that adds back 10,000 destroyed sales users lists the bin once instead
// of reading 10,000 entries. An entry does not change while it is in the
// bin, so the listing is reloaded only when an ID is missing from it and this
// process has written since it was made.
//
// The methods accept a nil *recycleBin and then do without the cache.
type recycleBin struct {
	mu       sync.Mutex
	deleted  map[string]recycledUser
	listings map[string]recycleBinListing
	// writes counts this process's writes, to tell a stale listing.
	writes int
}

// recycleBinListing is one listing of the recycle bin.
type recycleBinListing struct {
	entries map[string]recycledUser
	writes  int
}

func newRecycleBin() *recycleBin {
	return &recycleBin{deleted: make(map[string]recycledUser), listings: make(map[string]recycleBinListing)}
}

// recordDelete records that this process deleted a sales user, which moved
// it to the recycle bin.
func (b *recycleBin) recordDelete(u recycledUser) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.deleted[u.ID] = u
}

// deletedHere reports whether this process deleted the sales user.
func (b *recycleBin) deletedHere(id string) bool {
	if b == nil {
		return false
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	_, ok := b.deleted[id]
	return ok
}

// wrote marks the listings as older than this process's last write.
func (b *recycleBin) wrote() {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.writes++
}

// find returns the recycle bin entry with the given ID, looking among the
// entries of connectionID first. ok is false when the bin has no such entry.
//
// Loading holds the lock, so the plans Terraform runs in parallel wait for
// one listing instead of each starting their own.
func (b *recycleBin) find(ctx context.Context, cl *client.Client, connectionID, id string) (recycledUser, bool, error) {
	if b == nil {
		b = newRecycleBin()
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if u, ok := b.deleted[id]; ok {
		return u, true, nil
	}
	scopes := []string{connectionID}
	if connectionID != "" {
		scopes = append(scopes, "")
	}
	for _, scope := range scopes {
		l, loaded := b.listings[scope]
		if loaded {
			if u, ok := l.entries[id]; ok {
				return u, true, nil
			}
			if l.writes == b.writes {
				continue
			}
		}
		entries := make(map[string]recycledUser)
		for su, err := range cl.RecycleBin.List(ctx, client.RecycleBinListOptions{ConnectionID: scope, PageSize: pageSize}) {
			if err != nil {
				return recycledUser{}, false, err
			}
			entries[su.ID] = recycledFromAPI(su)
		}
		tflog.Debug(ctx, "Listed the recycle bin", map[string]any{"connection_id": scope, "entries": len(entries)})
		b.listings[scope] = recycleBinListing{entries: entries, writes: b.writes}
		if u, ok := entries[id]; ok {
			return u, true, nil
		}
	}
	return recycledUser{}, false, nil
}
