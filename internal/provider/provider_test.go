package provider

import (
	"context"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	dsschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/resource"
)

// describedSchema is what every schema kind (provider, resource, data
// source) has in common for this test.
type describedSchema interface {
	GetMarkdownDescription() string
}

// TestSchemasHaveMarkdownDescriptions walks every schema of the provider,
// down to nested attributes, and fails on anything without a
// MarkdownDescription. It also runs the framework's own schema checks.
func TestSchemasHaveMarkdownDescriptions(t *testing.T) {
	ctx := context.Background()
	p := New("test")()

	schemas := map[string]any{}
	var presp provider.SchemaResponse
	p.Schema(ctx, provider.SchemaRequest{}, &presp)
	schemas["provider"] = presp.Schema
	if presp.Diagnostics.HasError() {
		t.Fatalf("provider schema: %v", presp.Diagnostics)
	}

	var meta provider.MetadataResponse
	p.Metadata(ctx, provider.MetadataRequest{}, &meta)
	for _, f := range p.Resources(ctx) {
		r := f()
		var m resource.MetadataResponse
		r.Metadata(ctx, resource.MetadataRequest{ProviderTypeName: meta.TypeName}, &m)
		var s resource.SchemaResponse
		r.Schema(ctx, resource.SchemaRequest{}, &s)
		if d := s.Schema.ValidateImplementation(ctx); d.HasError() {
			t.Errorf("resource %s: invalid schema: %v", m.TypeName, d)
		}
		schemas["resource "+m.TypeName] = s.Schema
	}
	for _, f := range p.DataSources(ctx) {
		d := f()
		var m datasource.MetadataResponse
		d.Metadata(ctx, datasource.MetadataRequest{ProviderTypeName: meta.TypeName}, &m)
		var s datasource.SchemaResponse
		d.Schema(ctx, datasource.SchemaRequest{}, &s)
		if diags := s.Schema.ValidateImplementation(ctx); diags.HasError() {
			t.Errorf("data source %s: invalid schema: %v", m.TypeName, diags)
		}
		schemas["data source "+m.TypeName] = s.Schema
	}

	wantSchemas := []string{
		"data source salesseat_account", "data source salesseat_crm_profiles", "data source salesseat_crm_users", "data source salesseat_roles",
		"data source salesseat_seat_report",
		"provider", "resource salesseat_crm_connection", "resource salesseat_profile_role_mapping", "resource salesseat_sales_user", "resource salesseat_sales_users",
	}
	var got []string
	for name := range schemas {
		got = append(got, name)
	}
	sort.Strings(got)
	if !reflect.DeepEqual(got, wantSchemas) {
		t.Fatalf("schemas = %v, want %v", got, wantSchemas)
	}

	for name, s := range schemas {
		for _, problem := range schemaDescriptionProblems(name, s) {
			t.Error(problem)
		}
	}
}

// TestSchemaDescriptionProblemsFindsGaps makes sure the walker above does
// look into nested attributes.
func TestSchemaDescriptionProblemsFindsGaps(t *testing.T) {
	s := dsschema.Schema{
		MarkdownDescription: "Described.",
		Attributes: map[string]dsschema.Attribute{
			"ok": dsschema.StringAttribute{MarkdownDescription: "Fine.", Computed: true},
			"items": dsschema.ListNestedAttribute{
				MarkdownDescription: "Items.",
				Computed:            true,
				NestedObject: dsschema.NestedAttributeObject{Attributes: map[string]dsschema.Attribute{
					"undocumented": dsschema.StringAttribute{Computed: true},
				}},
			},
		},
	}
	got := schemaDescriptionProblems("test", s)
	want := []string{"test.items.undocumented has no MarkdownDescription"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("problems = %q, want %q", got, want)
	}
}

// schemaDescriptionProblems lists the schema's and its attributes' missing
// (or unterminated) MarkdownDescriptions.
func schemaDescriptionProblems(name string, s any) []string {
	var problems []string
	if ds, ok := s.(describedSchema); !ok || strings.TrimSpace(ds.GetMarkdownDescription()) == "" {
		problems = append(problems, name+" has no MarkdownDescription")
	}
	return append(problems, attributeProblems(name, reflect.ValueOf(s).FieldByName("Attributes"))...)
}

// attributeProblems checks every attribute of an Attributes map and recurses
// into nested objects.
func attributeProblems(prefix string, attrs reflect.Value) []string {
	if !attrs.IsValid() || attrs.Kind() != reflect.Map {
		return []string{prefix + ": no Attributes map"}
	}
	var problems []string
	keys := attrs.MapKeys()
	sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
	for _, k := range keys {
		name := prefix + "." + k.String()
		a := attrs.MapIndex(k).Interface()
		ds, ok := a.(describedSchema)
		if !ok {
			problems = append(problems, name+": attribute has no GetMarkdownDescription")
			continue
		}
		desc := strings.TrimSpace(ds.GetMarkdownDescription())
		switch {
		case desc == "":
			problems = append(problems, name+" has no MarkdownDescription")
		case !strings.HasSuffix(desc, ".") && !strings.HasSuffix(desc, ")"):
			problems = append(problems, name+": MarkdownDescription should end with a full stop")
		}
		v := reflect.ValueOf(a)
		if v.Kind() == reflect.Struct {
			if nested := v.FieldByName("NestedObject"); nested.IsValid() {
				problems = append(problems, attributeProblems(name, nested.FieldByName("Attributes"))...)
			}
			if inner := v.FieldByName("Attributes"); inner.IsValid() {
				problems = append(problems, attributeProblems(name, inner)...)
			}
		}
	}
	return problems
}

func TestSupportedValuesUsesTheValidatorsSlices(t *testing.T) {
	cases := map[string]struct {
		values []string
		want   string
	}{
		"roles":        {values: roleNames, want: "Supported values: `administrator`, `marketing`, `sales_manager`, `sales`."},
		"environments": {values: environmentNames, want: "Supported values: `production`, `sandbox`."},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := supportedValues(tc.values); got != tc.want {
				t.Errorf("supportedValues() = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestProviderDataFrom(t *testing.T) {
	data := &providerData{}
	cases := map[string]struct {
		in        any
		want      *providerData
		wantError string
	}{
		"not configured yet": {in: nil},
		"provider data":      {in: data, want: data},
		"wrong type":         {in: "oops", wantError: "Unexpected Resource Configure Type"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var diags diag.Diagnostics
			got := providerDataFrom(tc.in, "Resource", &diags)
			if got != tc.want {
				t.Errorf("providerDataFrom = %p, want %p", got, tc.want)
			}
			switch {
			case tc.wantError == "" && diags.HasError():
				t.Errorf("unexpected diagnostics: %v", diags)
			case tc.wantError != "" && (diags.ErrorsCount() != 1 || diags.Errors()[0].Summary() != tc.wantError ||
				!strings.Contains(diags.Errors()[0].Detail(), "got: string")):
				t.Errorf("diagnostics = %v, want one %q naming the type", diags, tc.wantError)
			}
		})
	}
}
