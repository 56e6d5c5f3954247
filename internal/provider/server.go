package provider

// The provider's protocol server: the framework serves every resource and
// data source, except the RPCs of the seat roster, which are served on
// terraform-plugin-go directly (see sales_users_protocol.go for why), and
// the no-op refresh and plan of salesseat_sales_user (sales_user_fast.go).

import (
	"context"
	"sync/atomic"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// NewProtocol6Server returns the factory of the provider's protocol 6
// server, for tf6server.Serve and for acceptance tests.
func NewProtocol6Server(version string) func() (tfprotov6.ProviderServer, error) {
	return func() (tfprotov6.ProviderServer, error) {
		p := &salesseatProvider{version: version, configured: &configuredProvider{}}
		return &protocolServer{
			ProviderServer: providerserver.NewProtocol6(p)(),
			roster:         &rosterServer{configured: p.configured},
			salesUser:      &salesUserFast{configured: p.configured},
		}, nil
	}
}

// configuredProvider is what the provider's Configure leaves for the RPCs
// that the framework does not serve: the provider data, or that the
// configuration was deferred (unknown arguments, with deferred actions
// allowed).
type configuredProvider struct {
	data     atomic.Pointer[providerData]
	deferred atomic.Bool
}

// protocolServer is the framework's server with the roster's resource RPCs
// taken over. Everything else (the provider's schema and configuration, the
// other resources and the data sources, and the roster's schema, which the
// framework still declares) goes to the framework.
type protocolServer struct {
	tfprotov6.ProviderServer
	roster *rosterServer
	// salesUser answers the no-op refresh and plan of salesseat_sales_user
	// (see sales_user_fast.go).
	salesUser *salesUserFast
}

var _ tfprotov6.ProviderServer = (*protocolServer)(nil)

// ValidateResourceConfig validates a resource's configuration.
func (s *protocolServer) ValidateResourceConfig(ctx context.Context, req *tfprotov6.ValidateResourceConfigRequest) (*tfprotov6.ValidateResourceConfigResponse, error) {
	if req.TypeName == rosterTypeName {
		return s.roster.ValidateResourceConfig(ctx, req)
	}
	return s.ProviderServer.ValidateResourceConfig(ctx, req)
}

// UpgradeResourceState decodes a resource's stored state.
func (s *protocolServer) UpgradeResourceState(ctx context.Context, req *tfprotov6.UpgradeResourceStateRequest) (*tfprotov6.UpgradeResourceStateResponse, error) {
	if req.TypeName == rosterTypeName {
		return s.roster.UpgradeResourceState(ctx, req)
	}
	if req.TypeName == salesUserTypeName {
		if resp, ok := s.salesUser.upgrade(req); ok {
			return resp, nil
		}
	}
	return s.ProviderServer.UpgradeResourceState(ctx, req)
}

// ReadResource refreshes a resource.
func (s *protocolServer) ReadResource(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	if req.TypeName == rosterTypeName {
		return s.roster.ReadResource(ctx, req)
	}
	if req.TypeName == salesUserTypeName {
		if resp, ok := s.salesUser.read(ctx, req); ok {
			return resp, nil
		}
	}
	return s.ProviderServer.ReadResource(ctx, req)
}

// PlanResourceChange plans a resource's change.
func (s *protocolServer) PlanResourceChange(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	if req.TypeName == rosterTypeName {
		return s.roster.PlanResourceChange(ctx, req)
	}
	if req.TypeName == salesUserTypeName {
		if resp, ok := s.salesUser.plan(req); ok {
			return resp, nil
		}
	}
	return s.ProviderServer.PlanResourceChange(ctx, req)
}

// ApplyResourceChange applies a resource's change.
func (s *protocolServer) ApplyResourceChange(ctx context.Context, req *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, error) {
	if req.TypeName == rosterTypeName {
		return s.roster.ApplyResourceChange(ctx, req)
	}
	return s.ProviderServer.ApplyResourceChange(ctx, req)
}

// ImportResourceState imports a resource.
func (s *protocolServer) ImportResourceState(ctx context.Context, req *tfprotov6.ImportResourceStateRequest) (*tfprotov6.ImportResourceStateResponse, error) {
	if req.TypeName == rosterTypeName {
		return s.roster.ImportResourceState(ctx, req)
	}
	return s.ProviderServer.ImportResourceState(ctx, req)
}

// toProtoDiagnostics converts framework diagnostics to the protocol's.
func toProtoDiagnostics(diags diag.Diagnostics) []*tfprotov6.Diagnostic {
	var out []*tfprotov6.Diagnostic
	for _, d := range diags {
		pd := &tfprotov6.Diagnostic{Severity: tfprotov6.DiagnosticSeverityWarning, Summary: d.Summary(), Detail: d.Detail()}
		if d.Severity() == diag.SeverityError {
			pd.Severity = tfprotov6.DiagnosticSeverityError
		}
		if wp, ok := d.(diag.DiagnosticWithPath); ok {
			pd.Attribute = toAttributePath(wp.Path())
		}
		out = append(out, pd)
	}
	return out
}

// toAttributePath converts a framework path to the protocol's; nil for the
// empty path.
func toAttributePath(p path.Path) *tftypes.AttributePath {
	steps := p.Steps()
	if len(steps) == 0 {
		return nil
	}
	out := make([]tftypes.AttributePathStep, 0, len(steps))
	for _, step := range steps {
		switch s := step.(type) {
		case path.PathStepAttributeName:
			out = append(out, tftypes.AttributeName(string(s)))
		case path.PathStepElementKeyString:
			out = append(out, tftypes.ElementKeyString(string(s)))
		case path.PathStepElementKeyInt:
			out = append(out, tftypes.ElementKeyInt(int64(s)))
		default:
			// A set element (by value): the path ends at the set.
			return tftypes.NewAttributePathWithSteps(out)
		}
	}
	return tftypes.NewAttributePathWithSteps(out)
}
