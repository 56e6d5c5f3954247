package platform

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/salesseat/terraform-provider-salesseat/internal/sandbox/salesforce"
	"github.com/salesseat/terraform-provider-salesseat/internal/sfid"
)

// CRM is the platform's view of one authorized Salesforce org. It is
// satisfied by *salesforce.Client.
type CRM interface {
	Identity() salesforce.Identity
	Users(ctx context.Context, q salesforce.UserQuery) ([]salesforce.User, error)
	User(ctx context.Context, id string) (salesforce.User, error)
	UserByUsername(ctx context.Context, username string) (salesforce.User, error)
	Profiles(ctx context.Context) ([]salesforce.Profile, error)
	Organization(ctx context.Context) (salesforce.Organization, error)
}

// Dialer authorizes against a Salesforce org with the given credentials and
// returns a CRM session. Authorization failures are *salesforce.AuthError.
type Dialer func(ctx context.Context, creds salesforce.Credentials) (CRM, error)

// Seed is the initial state of the platform, usually from the fixture.
type Seed struct {
	AccountID     string // "" mints one
	AccountName   string
	SeatLimit     int
	PlatformUsers []PlatformUserSeed
	RecycleBin    []RecycleBinSeed
	APIClients    []APIClientSeed
}

// PlatformUserSeed is a platform user that exists before any import; ID ""
// mints one.
type PlatformUserSeed struct {
	ID        string `json:"id"`
	Email     string `json:"email"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
}

// RecycleBinSeed is a deleted sales user that still holds its CRM username.
// It belongs to no connection until it is restored through one that reaches
// its org.
type RecycleBinSeed struct {
	ID          string
	CRMUserID   string
	CRMUsername string
	Email       string
	FirstName   string
	LastName    string
	DeletedAt   time.Time
}

// APIClientSeed is an OAuth client of the provisioning API.
type APIClientSeed struct {
	ClientID     string   `json:"client_id"`
	ClientSecret string   `json:"client_secret"`
	Scopes       []string `json:"scopes"`
}

// Options tune a Platform.
type Options struct {
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// Platform is the platform's domain layer. It is safe for concurrent use.
type Platform struct {
	dial Dialer
	now  func() time.Time

	mu            sync.Mutex
	account       AccountState
	apiClients    []APIClientSeed
	platformUsers map[string]*PlatformUserRecord
	conns         map[string]*ConnectionRecord
	mappings      map[string]*RoleMapping
	users         map[string]*SalesUserRecord
	idem          map[string]*idemEntry
	lastIdemSweep time.Time

	// Indexes over the state, rebuilt by reindexLocked.
	byUsername  map[string]string // lower(CRM username) -> sales user ID (live and recycle bin)
	liveByCRMID map[string]string // CRM user ID -> live sales user ID
	puByEmail   map[string]string // lower(email) -> platform user ID
	puMappedTo  map[string]string // platform user ID -> sales user ID (live and recycle bin)

	sessions map[string]*session // connection ID -> authorized CRM session

	hookMu sync.Mutex
	hooks  []func()
}

// session is one authorized CRM session of a connection; its identity
// (pointer) tells whether the session a caller used is still the current one.
type session struct {
	crm CRM
}

// New returns a platform seeded with seed that reaches Salesforce orgs
// through dial.
func New(seed Seed, dial Dialer, opts Options) *Platform {
	p := &Platform{dial: dial, now: opts.Now}
	if p.now == nil {
		p.now = time.Now
	}
	p.seed(seed)
	return p
}

func (p *Platform) seed(seed Seed) {
	id := seed.AccountID
	if id == "" {
		id = newID("acc_")
	}
	p.account = AccountState{ID: id, Name: seed.AccountName, SeatLimit: seed.SeatLimit}
	p.apiClients = cloneAPIClients(seed.APIClients)
	p.platformUsers = map[string]*PlatformUserRecord{}
	p.conns = map[string]*ConnectionRecord{}
	p.mappings = map[string]*RoleMapping{}
	p.users = map[string]*SalesUserRecord{}
	p.idem = map[string]*idemEntry{}
	p.sessions = map[string]*session{}
	for _, pu := range seed.PlatformUsers {
		if pu.ID == "" {
			pu.ID = newID("pu_")
		}
		p.platformUsers[pu.ID] = &PlatformUserRecord{PlatformUser: PlatformUser(pu)}
	}
	p.reindexLocked()
	now := p.clock()
	for _, rb := range seed.RecycleBin {
		if rb.ID == "" {
			rb.ID = newID("su_")
		}
		crmID := rb.CRMUserID
		if n, err := sfid.Normalize(crmID); err == nil {
			crmID = n
		}
		deleted := rb.DeletedAt.UTC()
		if rb.DeletedAt.IsZero() {
			deleted = now
		}
		rec := &SalesUserRecord{
			ID: rb.ID, CRMUserID: crmID, CRMUsername: rb.CRMUsername, Email: rb.Email,
			FirstName: rb.FirstName, LastName: rb.LastName, CRMActive: true,
			HiddenComponents: []string{}, CreatedBy: CreatedByAPI,
			DeletedAt: &deleted, CreatedAt: deleted, UpdatedAt: deleted, Version: 1,
		}
		if puID, ok := p.puByEmail[strings.ToLower(rb.Email)]; ok && p.puMappedTo[puID] == "" {
			rec.PlatformUserID, rec.AdoptedExistingUser = puID, true
		} else {
			pu := &PlatformUserRecord{
				PlatformUser:    PlatformUser{ID: newID("pu_"), Email: rb.Email, FirstName: rb.FirstName, LastName: rb.LastName},
				CreatedByImport: true,
			}
			p.platformUsers[pu.ID] = pu
			rec.PlatformUserID = pu.ID
		}
		p.users[rec.ID] = rec
		p.reindexLocked()
	}
}

// OnChange registers fn to be called after every committed mutation (for
// persisting snapshots). fn runs without the platform's lock held and may
// call Snapshot.
func (p *Platform) OnChange(fn func()) {
	p.hookMu.Lock()
	defer p.hookMu.Unlock()
	p.hooks = append(p.hooks, fn)
}

func (p *Platform) changed() {
	p.hookMu.Lock()
	hooks := slices.Clone(p.hooks)
	p.hookMu.Unlock()
	for _, fn := range hooks {
		fn()
	}
}

// clock returns the current time in UTC, truncated to the second.
func (p *Platform) clock() time.Time {
	return p.now().UTC().Truncate(time.Second)
}

// Account returns the account and its seat accounting.
func (p *Platform) Account() Account {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.accountLocked()
}

func (p *Platform) accountLocked() Account {
	used := p.seatsUsedLocked()
	return Account{
		ID: p.account.ID, Name: p.account.Name, SeatLimit: p.account.SeatLimit,
		SeatsUsed: used, SeatsAvailable: max(0, p.account.SeatLimit-used),
	}
}

// seatsUsedLocked counts the sales users that are not in the recycle bin.
// Every live sales user is indexed by its CRM user ID (rule 1 allows one per
// CRM user), so the index's size is the count; an import stays O(1) however
// many sales users the account has.
func (p *Platform) seatsUsedLocked() int {
	return len(p.liveByCRMID)
}

var roleCatalog = []Role{
	{Name: RoleAdministrator, Description: "Manages the platform: settings, connections, users and all data."},
	{Name: RoleMarketing, Description: "Runs campaigns and content; sees marketing data and engagement of all prospects."},
	{Name: RoleSalesManager, Description: "Leads a sales team: sees the team's prospects, activity and dashboards."},
	{Name: RoleSales, Description: "Works their own prospects: engagement alerts, email tracking and activity."},
}

// RoleNames returns the names of the role catalog, in catalog order.
func RoleNames() []string {
	names := make([]string, len(roleCatalog))
	for i, r := range roleCatalog {
		names[i] = r.Name
	}
	return names
}

// Roles returns the role catalog.
func (p *Platform) Roles() []Role {
	return slices.Clone(roleCatalog)
}

// HiddenComponentNames returns the catalog of platform components that can
// be hidden from a sales user, sorted.
func HiddenComponentNames() []string {
	return []string{"activity_history", "email_signature", "hot_prospects", "sent_messages", "website_visitors"}
}

// AuthenticateClient checks an API client's credentials and returns the
// scopes it may request.
func (p *Platform) AuthenticateClient(clientID, secret string) (scopes []string, ok bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.apiClients {
		idOK := subtle.ConstantTimeCompare([]byte(c.ClientID), []byte(clientID)) == 1
		secretOK := subtle.ConstantTimeCompare([]byte(c.ClientSecret), []byte(secret)) == 1
		if idOK && secretOK {
			return slices.Clone(c.Scopes), true
		}
	}
	return nil, false
}

// SetSeatLimit changes the seat limit (an admin operation: the vendor sells
// seats). A limit below the seats in use is allowed; no seat is free then.
func (p *Platform) SetSeatLimit(n int) (Account, error) {
	if n < 0 {
		return Account{}, Validation("seat_limit", fmt.Sprintf("seat_limit must be 0 or more, got %d", n))
	}
	p.mu.Lock()
	p.account.SeatLimit = n
	acc := p.accountLocked()
	p.mu.Unlock()
	p.changed()
	return acc, nil
}

// CreatePlatformUser adds a platform user that is not linked to any CRM
// user (an admin operation, to set up adoption and reservation scenarios).
func (p *Platform) CreatePlatformUser(in PlatformUserSeed) (PlatformUser, error) {
	in.Email = strings.TrimSpace(in.Email)
	if !looksLikeEmail(in.Email) {
		return PlatformUser{}, Validation("email", fmt.Sprintf("email must be an email address like ann@example.com, got %q", in.Email))
	}
	p.mu.Lock()
	if other, ok := p.puByEmail[strings.ToLower(in.Email)]; ok {
		p.mu.Unlock()
		return PlatformUser{}, Validation("email", fmt.Sprintf("platform user %s already has the email address %q; platform users' email addresses are unique", other, in.Email))
	}
	if in.ID == "" {
		in.ID = newID("pu_")
	} else if _, ok := p.platformUsers[in.ID]; ok {
		p.mu.Unlock()
		return PlatformUser{}, Validation("id", fmt.Sprintf("platform user %s already exists; omit id to mint a new one", in.ID))
	}
	rec := &PlatformUserRecord{PlatformUser: PlatformUser(in)}
	p.platformUsers[rec.ID] = rec
	p.puByEmail[strings.ToLower(rec.Email)] = rec.ID
	p.mu.Unlock()
	p.changed()
	return rec.PlatformUser, nil
}

// PlatformUsers returns every platform user, sorted by ID.
func (p *Platform) PlatformUsers() []PlatformUser {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]PlatformUser, 0, len(p.platformUsers))
	for _, pu := range p.platformUsers {
		out = append(out, pu.PlatformUser)
	}
	slices.SortFunc(out, func(a, b PlatformUser) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// reindexLocked rebuilds the lookup indexes from the state.
func (p *Platform) reindexLocked() {
	p.byUsername = map[string]string{}
	p.liveByCRMID = map[string]string{}
	p.puByEmail = map[string]string{}
	p.puMappedTo = map[string]string{}
	for _, pu := range p.platformUsers {
		p.puByEmail[strings.ToLower(pu.Email)] = pu.ID
	}
	for _, u := range p.users {
		p.byUsername[strings.ToLower(u.CRMUsername)] = u.ID
		if u.DeletedAt == nil {
			p.liveByCRMID[u.CRMUserID] = u.ID
		}
		if u.PlatformUserID != "" {
			p.puMappedTo[u.PlatformUserID] = u.ID
		}
	}
}

const idAlphabet = "0123456789abcdefghijklmnopqrstuvwxyz"

// newID returns prefix followed by 16 random lower-case alphanumerics.
func newID(prefix string) string {
	buf := make([]byte, 16)
	if _, err := rand.Read(buf); err != nil {
		panic(err)
	}
	for i := range buf {
		buf[i] = idAlphabet[int(buf[i])%len(idAlphabet)]
	}
	return prefix + string(buf)
}

func looksLikeEmail(s string) bool {
	at := strings.LastIndexByte(s, '@')
	return at > 0 && at < len(s)-1 && !strings.ContainsAny(s, " \t\r\n")
}

func cloneAPIClients(in []APIClientSeed) []APIClientSeed {
	out := make([]APIClientSeed, len(in))
	for i, c := range in {
		c.Scopes = slices.Clone(c.Scopes)
		out[i] = c
	}
	return out
}
