package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// resourceSchema returns the schema of r.
func resourceSchema(t *testing.T, r resource.Resource) resource.SchemaResponse {
	t.Helper()
	var resp resource.SchemaResponse
	r.Schema(context.Background(), resource.SchemaRequest{}, &resp)
	if resp.Diagnostics.HasError() {
		t.Fatal(resp.Diagnostics)
	}
	return resp
}

// rawFrom encodes a model as the raw value of r's schema.
func rawFrom(t *testing.T, r resource.Resource, model any) tftypes.Value {
	t.Helper()
	s := resourceSchema(t, r).Schema
	st := tfsdk.State{Schema: s, Raw: tftypes.NewValue(s.Type().TerraformType(context.Background()), nil)}
	if d := st.Set(context.Background(), model); d.HasError() {
		t.Fatal(d)
	}
	return st.Raw
}
