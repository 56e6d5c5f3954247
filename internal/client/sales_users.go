package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// SalesUserService manages sales users: CRM users imported into the
// platform, each holding a seat.
type SalesUserService interface {
	// List returns the sales users (not those in the recycle bin).
	List(ctx context.Context, opts SalesUserListOptions) iter.Seq2[*SalesUser, error]
	// Create imports a CRM user as a sales user. It is safe to retry: the
	// request carries an Idempotency-Key.
	Create(ctx context.Context, opts SalesUserCreateOptions) (*SalesUser, error)
	// Read returns a sales user.
	Read(ctx context.Context, salesUserID string) (*SalesUser, error)
	// ReadByCRMUsername returns the sales user with the given CRM username.
	ReadByCRMUsername(ctx context.Context, crmUsername string) (*SalesUser, error)
	// Update changes a sales user's role, team or hidden components.
	Update(ctx context.Context, salesUserID string, opts SalesUserUpdateOptions) (*SalesUser, error)
	// Delete moves a sales user to the recycle bin and frees its seat.
	Delete(ctx context.Context, salesUserID string) error
	// UpdateFromCRM refreshes a sales user's name, email and activity from
	// the org.
	UpdateFromCRM(ctx context.Context, salesUserID string) (*SalesUser, error)
	// Validate checks up to MaxValidateItems creates, updates, removals and
	// restores without making them; seats are counted as Batch counts them.
	Validate(ctx context.Context, opts ValidateOptions) (*ValidationResult, error)
	// Batch applies up to MaxBatchItems changes on one connection in one
	// request, removals first, and reports each item. It is safe to retry:
	// the request carries an Idempotency-Key. An error means the batch as a
	// whole was refused (or its outcome is unknown); failed items are
	// reported in the result.
	Batch(ctx context.Context, opts SalesUserBatchOptions) (*SalesUserBatchResult, error)
}

// MaxBatchItems is the most items one Batch request may carry.
const MaxBatchItems = 500

// MaxValidateItems is the most items one Validate request (a dry run) may
// carry: a dry run writes nothing, so a whole roster fits in one request.
const MaxValidateItems = 10000

// Components a sales user can have hidden.
const (
	ComponentHotProspects    = "hot_prospects"
	ComponentWebsiteVisitors = "website_visitors"
	ComponentSentMessages    = "sent_messages"
	ComponentActivityHistory = "activity_history"
	ComponentEmailSignature  = "email_signature"
)

// SalesUser statuses and role sources.
const (
	SalesUserStatusActive    = "active"
	SalesUserStatusSuspended = "suspended"
	RoleSourceExplicit       = "explicit"
	RoleSourceProfileMapping = "profile_mapping"
	CreatedByAPI             = "api"
	CreatedByAutomaticSync   = "automatic_sync"
)

// SalesUser is a CRM user imported into the platform.
type SalesUser struct {
	ID             string `json:"id"`
	ConnectionID   string `json:"connection_id"`
	CRMUserID      string `json:"crm_user_id"`
	CRMUsername    string `json:"crm_username"`
	Email          string `json:"email"`
	FirstName      string `json:"first_name"`
	LastName       string `json:"last_name"`
	CRMActive      bool   `json:"crm_active"`
	CRMProfileID   string `json:"crm_profile_id"`
	CRMProfileName string `json:"crm_profile_name"`
	// Role is the effective role: the explicit one, else the one the
	// profile is mapped to, else empty.
	Role string `json:"role"`
	// RoleSource is RoleSourceExplicit or RoleSourceProfileMapping.
	RoleSource string `json:"role_source"`
	Team       string `json:"team"`
	// HiddenComponents is sorted and never nil.
	HiddenComponents    []string `json:"hidden_components"`
	Status              string   `json:"status"`
	AdoptedExistingUser bool     `json:"adopted_existing_user"`
	PlatformUserID      string   `json:"platform_user_id"`
	CreatedBy           string   `json:"created_by"`
	// DeletedAt is set for entries of the recycle bin, zero otherwise.
	DeletedAt time.Time `json:"deleted_at"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	Version   int       `json:"version"`
	// ETag is the response's ETag header, for Update's IfMatch.
	ETag string `json:"-"`
}

func (u *SalesUser) setETag(etag string) { u.ETag = etag }

// UnmarshalJSON decodes a sales user, turning a null hidden_components into
// an empty slice.
func (u *SalesUser) UnmarshalJSON(data []byte) error {
	type plain SalesUser
	if err := json.Unmarshal(data, (*plain)(u)); err != nil {
		return err
	}
	if u.HiddenComponents == nil {
		u.HiddenComponents = []string{}
	}
	return nil
}

// SalesUserListOptions filters List.
type SalesUserListOptions struct {
	ConnectionID string
	CRMUsername  string
	PageSize     int
}

// SalesUserCreateOptions is the body of a sales user create. Exactly one of
// CRMUserID (15 or 18 characters) and CRMUsername is required; an empty Role
// follows the profile's role mapping.
type SalesUserCreateOptions struct {
	ConnectionID     string   `json:"connection_id"`
	CRMUserID        string   `json:"crm_user_id,omitempty"`
	CRMUsername      string   `json:"crm_username,omitempty"`
	Role             string   `json:"role,omitempty"`
	Team             string   `json:"team,omitempty"`
	HiddenComponents []string `json:"hidden_components,omitempty"`
}

// SalesUserUpdateOptions is the body of a sales user update; nil fields are
// left unchanged. A Role of "" makes the sales user follow its profile's
// mapping again.
type SalesUserUpdateOptions struct {
	Role             *string
	Team             *string
	HiddenComponents *[]string
	// IfMatch makes the update conditional on the sales user's ETag.
	IfMatch string
}

// MarshalJSON encodes the set fields; a HiddenComponents pointing at a nil
// slice is sent as [] (clear them), never null.
func (o SalesUserUpdateOptions) MarshalJSON() ([]byte, error) {
	body := map[string]any{}
	if o.Role != nil {
		body["role"] = *o.Role
	}
	if o.Team != nil {
		body["team"] = *o.Team
	}
	if o.HiddenComponents != nil {
		hc := *o.HiddenComponents
		if hc == nil {
			hc = []string{}
		}
		body["hidden_components"] = hc
	}
	return json.Marshal(body)
}

// ValidateOptions is the body of a dry-run validation.
type ValidateOptions struct {
	Items []ValidateItem `json:"items"`
}

// Validate and batch actions.
const (
	ValidateActionCreate  = "create"
	ValidateActionUpdate  = "update"
	ValidateActionRemove  = "remove"
	ValidateActionRestore = "restore"
)

// ValidateItem is one change to check (Validate) or to apply (Batch).
type ValidateItem struct {
	// Action is ValidateActionCreate, ValidateActionUpdate,
	// ValidateActionRemove or ValidateActionRestore.
	Action string `json:"action"`
	// SalesUserID is the sales user to update, remove or restore.
	SalesUserID string `json:"sales_user_id,omitempty"`
	// ConnectionID and one of CRMUserID or CRMUsername name the CRM user
	// to create from.
	ConnectionID     string   `json:"connection_id,omitempty"`
	CRMUserID        string   `json:"crm_user_id,omitempty"`
	CRMUsername      string   `json:"crm_username,omitempty"`
	Role             *string  `json:"role,omitempty"`
	Team             *string  `json:"team,omitempty"`
	HiddenComponents []string `json:"hidden_components,omitempty"`
}

// MarshalJSON sends hidden_components whenever the slice is not nil, so an
// update (or restore) item with an empty, non-nil list clears them; a nil
// list leaves them as they are.
func (it ValidateItem) MarshalJSON() ([]byte, error) {
	type plain ValidateItem
	wire := struct {
		plain
		HiddenComponents *[]string `json:"hidden_components,omitempty"`
	}{plain: plain(it)}
	if it.HiddenComponents != nil {
		hc := it.HiddenComponents
		wire.HiddenComponents = &hc
	}
	return json.Marshal(wire)
}

// ValidationResult is the outcome of Validate.
type ValidationResult struct {
	Valid bool             `json:"valid"`
	Seats Seats            `json:"seats"`
	Items []ValidationItem `json:"items"`
}

// Seats counts seats for a validation: before it, what its removals free
// and what its creates and restores need.
type Seats struct {
	SeatLimit      int `json:"seat_limit"`
	SeatsUsed      int `json:"seats_used"`
	SeatsAvailable int `json:"seats_available"`
	SeatsRequested int `json:"seats_requested"`
	SeatsFreed     int `json:"seats_freed"`
}

// SalesUserBatchOptions is the body of a batch: changes to the sales users
// of one connection. Items need no ConnectionID (the batch's is used).
type SalesUserBatchOptions struct {
	ConnectionID string         `json:"connection_id"`
	Items        []ValidateItem `json:"items"`
}

// SalesUserBatchResult is the outcome of Batch.
type SalesUserBatchResult struct {
	Applied int                        `json:"applied"`
	Failed  int                        `json:"failed"`
	Seats   BatchSeats                 `json:"seats"`
	Items   []SalesUserBatchItemResult `json:"items"`
}

// BatchSeats counts seats before and after a batch.
type BatchSeats struct {
	SeatLimit       int `json:"seat_limit"`
	SeatsUsedBefore int `json:"seats_used_before"`
	SeatsUsed       int `json:"seats_used"`
}

// SalesUserBatchItemResult is the outcome of one item of a batch.
type SalesUserBatchItemResult struct {
	Index       int    `json:"index"`
	Action      string `json:"action"`
	Applied     bool   `json:"applied"`
	CRMUserID   string `json:"crm_user_id"`
	CRMUsername string `json:"crm_username"`
	// SalesUser is the sales user as the item left it (for a removal, as it
	// was moved to the recycle bin); nil when the item failed.
	SalesUser *SalesUser `json:"sales_user"`
	// Problem is why the item failed; nil when it was applied.
	Problem *Error `json:"problem"`
}

// ValidationItem is the outcome for one ValidateItem.
type ValidationItem struct {
	Index       int    `json:"index"`
	Valid       bool   `json:"valid"`
	CRMUserID   string `json:"crm_user_id"`
	CRMUsername string `json:"crm_username"`
	// CRMUser is the CRM user of a create or restore, when known.
	CRMUser *CRMUser `json:"crm_user"`
	// Role and RoleSource are what the sales user of a create or restore
	// would get (RoleSource is empty for other actions).
	Role       string `json:"role"`
	RoleSource string `json:"role_source"`
	// Problems are the errors the real call would return.
	Problems []*Error `json:"problems"`
}

type salesUserService struct{ c *Client }

const salesUsersPath = apiPrefix + "/sales-users"

func salesUserPath(id string) (string, error) {
	seg, err := pathSegment("sales user", id)
	if err != nil {
		return "", err
	}
	return salesUsersPath + "/" + seg, nil
}

func (s *salesUserService) List(ctx context.Context, opts SalesUserListOptions) iter.Seq2[*SalesUser, error] {
	q := url.Values{}
	if opts.ConnectionID != "" {
		q.Set("connection_id", opts.ConnectionID)
	}
	if opts.CRMUsername != "" {
		q.Set("crm_username", opts.CRMUsername)
	}
	return list[SalesUser](ctx, s.c, salesUsersPath, q, opts.PageSize)
}

func (s *salesUserService) Create(ctx context.Context, opts SalesUserCreateOptions) (*SalesUser, error) {
	id, err := normalizeIDField("crm_user_id", opts.CRMUserID)
	if err != nil {
		return nil, err
	}
	opts.CRMUserID = id
	return doJSON[SalesUser](ctx, s.c, request{method: http.MethodPost, path: salesUsersPath, body: opts, idempotencyKey: true})
}

func (s *salesUserService) Read(ctx context.Context, salesUserID string) (*SalesUser, error) {
	p, err := salesUserPath(salesUserID)
	if err != nil {
		return nil, err
	}
	return doJSON[SalesUser](ctx, s.c, request{method: http.MethodGet, path: p})
}

func (s *salesUserService) ReadByCRMUsername(ctx context.Context, crmUsername string) (*SalesUser, error) {
	seg, err := pathSegment("CRM username", crmUsername)
	if err != nil {
		return nil, err
	}
	return doJSON[SalesUser](ctx, s.c, request{method: http.MethodGet, path: salesUsersPath + "/by-crm-username/" + seg})
}

func (s *salesUserService) Update(ctx context.Context, salesUserID string, opts SalesUserUpdateOptions) (*SalesUser, error) {
	p, err := salesUserPath(salesUserID)
	if err != nil {
		return nil, err
	}
	return doJSON[SalesUser](ctx, s.c, request{method: http.MethodPatch, path: p, body: opts, ifMatch: opts.IfMatch, retrySafe: opts.IfMatch == ""})
}

func (s *salesUserService) Delete(ctx context.Context, salesUserID string) error {
	p, err := salesUserPath(salesUserID)
	if err != nil {
		return err
	}
	_, err = s.c.do(ctx, request{method: http.MethodDelete, path: p, retrySafe: true}, nil)
	return err
}

func (s *salesUserService) UpdateFromCRM(ctx context.Context, salesUserID string) (*SalesUser, error) {
	p, err := salesUserPath(salesUserID)
	if err != nil {
		return nil, err
	}
	return doJSON[SalesUser](ctx, s.c, request{method: http.MethodPost, path: p + "/update-from-crm", retrySafe: true})
}

func (s *salesUserService) Validate(ctx context.Context, opts ValidateOptions) (*ValidationResult, error) {
	if n := len(opts.Items); n > MaxValidateItems {
		return nil, fmt.Errorf("a dry run takes at most %d items, got %d: split it", MaxValidateItems, n)
	}
	items, err := normalizeItems(opts.Items)
	if err != nil {
		return nil, err
	}
	return doJSON[ValidationResult](ctx, s.c, request{method: http.MethodPost, path: salesUsersPath + "/validate", body: ValidateOptions{Items: items}, retrySafe: true})
}

func (s *salesUserService) Batch(ctx context.Context, opts SalesUserBatchOptions) (*SalesUserBatchResult, error) {
	if opts.ConnectionID == "" {
		return nil, errors.New("a sales user batch needs a connection_id")
	}
	if n := len(opts.Items); n == 0 || n > MaxBatchItems {
		return nil, fmt.Errorf("a sales user batch takes 1 to %d items, got %d: split it", MaxBatchItems, n)
	}
	items, err := normalizeItems(opts.Items)
	if err != nil {
		return nil, err
	}
	opts.Items = items
	return doJSON[SalesUserBatchResult](ctx, s.c, request{method: http.MethodPost, path: salesUsersPath + "/batch", body: opts, idempotencyKey: true})
}

// normalizeItems returns items with their CRM user IDs in 18-character form,
// naming the first invalid one.
func normalizeItems(in []ValidateItem) ([]ValidateItem, error) {
	items := make([]ValidateItem, len(in))
	for i, item := range in {
		id, err := normalizeIDField("items["+strconv.Itoa(i)+"].crm_user_id", item.CRMUserID)
		if err != nil {
			return nil, err
		}
		item.CRMUserID = id
		items[i] = item
	}
	return items, nil
}
