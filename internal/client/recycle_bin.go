package client

import (
	"context"
	"iter"
	"net/http"
	"net/url"
)

// RecycleBinService lists, restores and purges deleted sales users.
type RecycleBinService interface {
	// List returns the sales users in the recycle bin (DeletedAt set).
	List(ctx context.Context, opts RecycleBinListOptions) iter.Seq2[*SalesUser, error]
	// Restore brings a sales user back; it needs a free seat. A restore is
	// not retried after a lost response, since the entry has then left the
	// recycle bin.
	Restore(ctx context.Context, salesUserID string, opts RecycleBinRestoreOptions) (*SalesUser, error)
	// Purge deletes a sales user for good, freeing its CRM username.
	Purge(ctx context.Context, salesUserID string) error
}

// RecycleBinListOptions filters List.
type RecycleBinListOptions struct {
	ConnectionID string
	PageSize     int
}

// RecycleBinRestoreOptions is the body of a restore.
type RecycleBinRestoreOptions struct {
	// ConnectionID is the connection to restore the sales user on: its own
	// connection, or, once that is gone, one that reaches the Salesforce org
	// of its CRM user. Empty sends no body, and the platform chooses.
	ConnectionID string `json:"connection_id,omitempty"`
}

type recycleBinService struct{ c *Client }

const recycleBinPath = apiPrefix + "/recycle-bin"

func recycleBinEntryPath(id string) (string, error) {
	seg, err := pathSegment("sales user", id)
	if err != nil {
		return "", err
	}
	return recycleBinPath + "/" + seg, nil
}

func (s *recycleBinService) List(ctx context.Context, opts RecycleBinListOptions) iter.Seq2[*SalesUser, error] {
	q := url.Values{}
	if opts.ConnectionID != "" {
		q.Set("connection_id", opts.ConnectionID)
	}
	return list[SalesUser](ctx, s.c, recycleBinPath, q, opts.PageSize)
}

func (s *recycleBinService) Restore(ctx context.Context, salesUserID string, opts RecycleBinRestoreOptions) (*SalesUser, error) {
	p, err := recycleBinEntryPath(salesUserID)
	if err != nil {
		return nil, err
	}
	r := request{method: http.MethodPost, path: p + "/restore"}
	if opts.ConnectionID != "" {
		r.body = opts
	}
	return doJSON[SalesUser](ctx, s.c, r)
}

func (s *recycleBinService) Purge(ctx context.Context, salesUserID string) error {
	p, err := recycleBinEntryPath(salesUserID)
	if err != nil {
		return err
	}
	_, err = s.c.do(ctx, request{method: http.MethodDelete, path: p, retrySafe: true}, nil)
	return err
}
