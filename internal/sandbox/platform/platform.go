package platform

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"slices"
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
	Groups(ctx context.Context) ([]salesforce.Group, error)
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
		rec.PlatformUserID, rec.AdoptedExistingUser = p.adoptOrCreatePlatformUserLocked(rb.Email, rb.FirstName, rb.LastName)
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
	for _, fn := range p.changeHooks() {
		fn()
	}
}

func (p *Platform) changeHooks() []func() {
	p.hookMu.Lock()
	defer p.hookMu.Unlock()
	return slices.Clone(p.hooks)
}

// clock returns the current time in UTC, truncated to the second.
func (p *Platform) clock() time.Time {
	return p.now().UTC().Truncate(time.Second)
}

// AuthenticateClient checks an API client's credentials and returns the
// scopes it may request.
func (p *Platform) AuthenticateClient(clientID, secret string) (scopes []string, ok bool) {
	scopes = view(p, func() []string {
		for _, c := range p.apiClients {
			idOK := subtle.ConstantTimeCompare([]byte(c.ClientID), []byte(clientID)) == 1
			secretOK := subtle.ConstantTimeCompare([]byte(c.ClientSecret), []byte(secret)) == 1
			if idOK && secretOK {
				return append([]string{}, c.Scopes...)
			}
		}
		return nil
	})
	return scopes, scopes != nil
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

func cloneAPIClients(in []APIClientSeed) []APIClientSeed {
	out := make([]APIClientSeed, len(in))
	for i, c := range in {
		c.Scopes = slices.Clone(c.Scopes)
		out[i] = c
	}
	return out
}
