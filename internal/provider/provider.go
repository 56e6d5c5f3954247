// Package provider implements the salesseat Terraform provider on the
// terraform-plugin-framework.
package provider

import (
	"context"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/salesseat/terraform-provider-salesseat/internal/client"
)

// Environment variables read when the matching provider argument is not set.
const (
	envEndpoint     = "SALESSEAT_ENDPOINT"
	envClientID     = "SALESSEAT_CLIENT_ID"
	envClientSecret = "SALESSEAT_CLIENT_SECRET"
)

// Defaults of the retry and timeout arguments.
const (
	defaultMaxRetries     = 4
	defaultRequestTimeout = "60s"
	defaultRetryWaitMin   = "1s"
	defaultRetryWaitMax   = "30s"
)

var _ provider.Provider = (*salesseatProvider)(nil)

// salesseatProvider defines the provider implementation.
type salesseatProvider struct {
	// version is "dev" for local builds, the release version (set by
	// goreleaser) for releases and "test" in tests.
	version string
	// configured receives the provider data when the provider is
	// configured, for the RPCs that the framework does not serve (see
	// NewProtocol6Server); nil when the framework serves everything.
	configured *configuredProvider
}

// salesseatProviderModel describes the provider configuration.
type salesseatProviderModel struct {
	Endpoint       types.String `tfsdk:"endpoint"`
	ClientID       types.String `tfsdk:"client_id"`
	ClientSecret   types.String `tfsdk:"client_secret"`
	MaxRetries     types.Int64  `tfsdk:"max_retries"`
	MaxSeats       types.Int64  `tfsdk:"max_seats"`
	MaxRemovals    types.Int64  `tfsdk:"max_removals"`
	MaxRemovalPct  types.Int64  `tfsdk:"max_removal_percent"`
	RequestTimeout types.String `tfsdk:"request_timeout"`
	RetryWaitMin   types.String `tfsdk:"retry_wait_min"`
	RetryWaitMax   types.String `tfsdk:"retry_wait_max"`
}

// providerData is what Configure hands to every resource and data source:
// the API client and the state that lives as long as one provider
// configuration (one graph walk), see seatLedger and salesUserCache.
type providerData struct {
	client     *client.Client
	ledger     *seatLedger
	salesUsers *salesUserCache
	recycleBin *recycleBin
	claims     *seatClaims
	// mappings records which profile each planned role mapping maps, so
	// that one profile mapped twice fails the plan.
	mappings *seatClaims
	// removals is the plan's removal guard (max_removals).
	removals *removalGuard
	// dryRuns batches the dry runs of concurrent plan calls (see
	// dryRunner).
	dryRuns     *dryRunBatcher
	dryRunsOnce sync.Once
	// scopeWarned is set once the plan has said that the API client may
	// not run dry runs, so it says so once.
	scopeWarned atomic.Bool
}

// newProviderData returns the provider data for an API client.
func newProviderData(c *client.Client) *providerData {
	return &providerData{client: c, ledger: newSeatLedger(), salesUsers: newSalesUserCache(), recycleBin: newRecycleBin(), claims: newSeatClaims(), mappings: newSeatClaims(),
		removals: defaultRemovalGuard()}
}

// wrote records that this process changed something on the platform, which
// makes the sales user listing stale.
func (d *providerData) wrote() {
	d.salesUsers.invalidate()
	d.recycleBin.wrote()
}

// providerDataFrom returns the provider data handed to a resource or data
// source (kind names which) in Configure: nil while the provider is not
// configured yet, and an error diagnostic for data of the wrong type, which
// only a provider bug can cause.
func providerDataFrom(data any, kind string, diags *diag.Diagnostics) *providerData {
	if data == nil {
		return nil
	}
	d, ok := data.(*providerData)
	if !ok {
		diags.AddError(
			fmt.Sprintf("Unexpected %s Configure Type", kind),
			fmt.Sprintf("Expected *providerData, got: %T. %s", data, reportBug),
		)
	}
	return d
}

// New returns a function that creates the provider, for providerserver.
func New(version string) func() provider.Provider {
	return func() provider.Provider {
		return &salesseatProvider{version: version}
	}
}

// Metadata returns the provider type name.
func (p *salesseatProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "salesseat"
	resp.Version = p.version
}

// Schema describes the provider arguments.
func (p *salesseatProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The salesseat provider manages which Salesforce (CRM) users hold seats on the salesseat sales platform: " +
			"the connection to a Salesforce org, the mapping of CRM profiles to platform roles, and the sales users themselves. " +
			"Plans check seat limits and the platform's mapping rules with the API's dry run, so a pull request shows what would fail before apply.",
		Attributes: map[string]schema.Attribute{
			"endpoint": schema.StringAttribute{
				MarkdownDescription: "Base URL of the salesseat API, e.g. `https://api.salesseat.example`. Must use `https` " +
					"(plain `http` is accepted only for loopback hosts, such as the sandbox). Defaults to the `" + envEndpoint + "` environment variable.",
				Optional: true,
			},
			"client_id": schema.StringAttribute{
				MarkdownDescription: "ID of the API client (OAuth 2.0 client credentials). Defaults to the `" + envClientID + "` environment variable.",
				Optional:            true,
			},
			"client_secret": schema.StringAttribute{
				MarkdownDescription: "Secret of the API client. Defaults to the `" + envClientSecret + "` environment variable, " +
					"which keeps the secret out of the configuration.",
				Optional:  true,
				Sensitive: true,
			},
			"max_seats": schema.Int64Attribute{
				MarkdownDescription: "A seat budget for this configuration's plans: a plan that would take the account's seats in use above it fails, " +
					"stating the seats in use, the budget and how many the plan adds, even when the account has free seats. " +
					"Use it where several workspaces share one account, so that one cannot take another team's seats. " +
					"Counts every seat of the account (also those held outside this configuration); a plan that removes seats never fails on it. Not set: no budget beyond the account's seat limit.",
				Optional:   true,
				Validators: []validator.Int64{int64validator.AtLeast(0)},
			},
			"max_removals": schema.Int64Attribute{
				MarkdownDescription: fmt.Sprintf("A guard against plans that take access away from many people at once: a plan that would remove more sales users than this fails, "+
					"listing who would lose access. It counts destroyed `salesseat_sales_user` resources (and replaced ones that move to another CRM user), members a roster drops "+
					"(a `select` rule that suddenly matches nobody, a renamed profile) or removes as `exclusive`, every member of a roster destroyed or moved to another connection, "+
					"and the sales users of a `salesseat_crm_connection` destroyed or replaced; sales users whose CRM user is deactivated in Salesforce do not count. "+
					"Defaults to `%d`. To let one run remove more, set the `%s` environment variable for that run (for the plan and the apply), e.g. `%s=300 terraform apply`: "+
					"it replaces `max_removals` and lifts `max_removal_percent`. `terraform destroy` counts too.",
					defaultMaxRemovals, envMaxRemovals, envMaxRemovals),
				Optional:   true,
				Validators: []validator.Int64{int64validator.AtLeast(0)},
			},
			"max_removal_percent": schema.Int64Attribute{
				MarkdownDescription: "A second limit of the removal guard, as a share: a plan in which one `salesseat_sales_users` roster would lose more than this percentage " +
					"of its members fails as well, listing who would lose access. Not set: only `max_removals` applies. `" + envMaxRemovals + "` lifts it for one run.",
				Optional:   true,
				Validators: []validator.Int64{int64validator.Between(1, 100)},
			},
			"max_retries": schema.Int64Attribute{
				MarkdownDescription: fmt.Sprintf("How many times a failed request is retried (rate limits, 502/503/504, lost connections on requests that are safe to repeat), "+
					"with jittered exponential backoff that honors `Retry-After`. `0` disables retries. Defaults to `%d`.", defaultMaxRetries),
				Optional:   true,
				Validators: []validator.Int64{int64validator.Between(0, 20)},
			},
			"request_timeout": schema.StringAttribute{
				MarkdownDescription: "How long one request may take, as a Go duration string such as `\"30s\"` or `\"2m\"`. Defaults to `\"" + defaultRequestTimeout + "\"`.",
				Optional:            true,
				Validators:          []validator.String{durationValidator{}},
			},
			"retry_wait_min": schema.StringAttribute{
				MarkdownDescription: "Shortest wait before a retry, as a Go duration string. Defaults to `\"" + defaultRetryWaitMin + "\"`.",
				Optional:            true,
				Validators:          []validator.String{durationValidator{}},
			},
			"retry_wait_max": schema.StringAttribute{
				MarkdownDescription: "Longest wait before a retry, as a Go duration string; a `Retry-After` longer than this fails the request instead of waiting. Defaults to `\"" + defaultRetryWaitMax + "\"`.",
				Optional:            true,
				Validators:          []validator.String{durationValidator{}},
			},
		},
	}
}

// Configure builds the API client from the configuration (falling back to
// the environment), authenticates at once so bad credentials fail here
// rather than on the fiftieth resource, and hands the client to resources
// and data sources.
func (p *salesseatProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var config salesseatProviderModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}

	unknown := map[string]types.String{"endpoint": config.Endpoint, "client_id": config.ClientID, "client_secret": config.ClientSecret,
		"request_timeout": config.RequestTimeout, "retry_wait_min": config.RetryWaitMin, "retry_wait_max": config.RetryWaitMax}
	anyUnknown := config.MaxRetries.IsUnknown() || config.MaxSeats.IsUnknown() || config.MaxRemovals.IsUnknown() || config.MaxRemovalPct.IsUnknown()
	for _, v := range unknown {
		anyUnknown = anyUnknown || v.IsUnknown()
	}
	if anyUnknown {
		// With deferred actions (Terraform 1.9+ with the experiment
		// enabled), let Terraform plan around the unknown configuration;
		// otherwise say which argument is unknown and how to fix it.
		if req.ClientCapabilities.DeferralAllowed {
			resp.Deferred = &provider.Deferred{Reason: provider.DeferredReasonProviderConfigUnknown}
			if p.configured != nil {
				p.configured.deferred.Store(true)
			}
			return
		}
		for name, v := range unknown {
			if v.IsUnknown() {
				addUnknownConfigError(resp, name)
			}
		}
		if config.MaxRetries.IsUnknown() {
			addUnknownConfigError(resp, "max_retries")
		}
		for name, v := range map[string]types.Int64{"max_seats": config.MaxSeats, "max_removals": config.MaxRemovals, "max_removal_percent": config.MaxRemovalPct} {
			if v.IsUnknown() {
				addUnknownConfigError(resp, name)
			}
		}
		return
	}

	endpoint := stringOrEnv(config.Endpoint, envEndpoint)
	clientID := stringOrEnv(config.ClientID, envClientID)
	clientSecret := stringOrEnv(config.ClientSecret, envClientSecret)
	missing := []struct{ name, env, value, what string }{
		{"endpoint", envEndpoint, endpoint, "the base URL of the salesseat API"},
		{"client_id", envClientID, clientID, "the API client's ID"},
		{"client_secret", envClientSecret, clientSecret, "the API client's secret"},
	}
	for _, m := range missing {
		if m.value == "" {
			resp.Diagnostics.AddAttributeError(path.Root(m.name),
				"Missing Provider Argument",
				fmt.Sprintf("The provider needs %s: set %s in the provider block or the %s environment variable.", m.what, m.name, m.env))
		}
	}
	guard, err := newRemovalGuard(config.MaxRemovals.ValueInt64Pointer(), config.MaxRemovalPct.ValueInt64Pointer())
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("max_removals"), "Invalid "+envMaxRemovals, err.Error())
	}
	if resp.Diagnostics.HasError() {
		return
	}

	cfg := client.Config{
		Endpoint:     endpoint,
		ClientID:     clientID,
		ClientSecret: clientSecret,
		UserAgent:    "terraform-provider-salesseat/" + p.version,
		RetryMax:     defaultMaxRetries,
	}
	if !config.MaxRetries.IsNull() {
		cfg.RetryMax = int(config.MaxRetries.ValueInt64())
		if cfg.RetryMax == 0 {
			cfg.RetryMax = -1 // the client's way of saying "no retries"
		}
	}
	durations := []struct {
		name string
		v    types.String
		def  string
		dst  *time.Duration
	}{
		{"request_timeout", config.RequestTimeout, defaultRequestTimeout, &cfg.RequestTimeout},
		{"retry_wait_min", config.RetryWaitMin, defaultRetryWaitMin, &cfg.RetryWaitMin},
		{"retry_wait_max", config.RetryWaitMax, defaultRetryWaitMax, &cfg.RetryWaitMax},
	}
	for _, d := range durations {
		s := d.def
		if !d.v.IsNull() {
			s = d.v.ValueString()
		}
		v, err := time.ParseDuration(s)
		if err != nil || v <= 0 {
			// The validator has already reported a bad value.
			return
		}
		*d.dst = v
	}
	if cfg.RetryWaitMin > cfg.RetryWaitMax {
		resp.Diagnostics.AddAttributeError(path.Root("retry_wait_min"), "Invalid Retry Waits",
			fmt.Sprintf("retry_wait_min (%s) must not be longer than retry_wait_max (%s).", cfg.RetryWaitMin, cfg.RetryWaitMax))
		return
	}

	logCtx := newClientLogContext(ctx, clientSecret)
	cfg.Logger = newTFLogAdapter(logCtx)
	ctx = tflog.SetField(ctx, "salesseat_endpoint", endpoint)
	ctx = tflog.MaskLogStrings(ctx, clientSecret)

	c, err := client.New(cfg)
	if err != nil {
		resp.Diagnostics.AddError("Invalid Provider Configuration", fmt.Sprintf("Could not create the API client: %s", err))
		return
	}
	if err := c.Authenticate(ctx); err != nil {
		summary, detail := describeError("authenticate with the salesseat API", err)
		resp.Diagnostics.AddError(summary, detail)
		return
	}
	tflog.Debug(ctx, "Configured the salesseat API client", map[string]any{"client_id": clientID})

	data := newProviderData(c)
	data.removals = guard
	if !config.MaxSeats.IsNull() {
		data.ledger.budget = int(config.MaxSeats.ValueInt64())
		data.ledger.hasBudget = true
	}
	if p.configured != nil {
		p.configured.data.Store(data)
	}
	resp.ResourceData = data
	resp.DataSourceData = data
}

func addUnknownConfigError(resp *provider.ConfigureResponse, name string) {
	resp.Diagnostics.AddAttributeError(path.Root(name),
		"Unknown Provider Argument",
		fmt.Sprintf("The provider argument %s depends on a value that is known only after apply, but the provider must be configured during plan. "+
			"Set it from a value known at plan time (a literal, a variable, or the environment), or apply the resources it depends on first with -target.", name))
}

// stringOrEnv returns the configured value, or the environment variable
// when the argument is not set.
func stringOrEnv(v types.String, env string) string {
	if !v.IsNull() {
		return v.ValueString()
	}
	return os.Getenv(env)
}

// Resources lists the provider's resources.
func (p *salesseatProvider) Resources(_ context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		NewCRMConnectionResource,
		NewProfileRoleMappingResource,
		NewSalesUserResource,
		NewSalesUsersResource,
	}
}

// DataSources lists the provider's data sources.
func (p *salesseatProvider) DataSources(_ context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		NewCRMUsersDataSource,
		NewCRMProfilesDataSource,
		NewAccountDataSource,
		NewSeatReportDataSource,
		NewRolesDataSource,
	}
}
