package sandbox

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
)

// The contract test: every request the HTTP tests make goes through contractTransport, which
// validates it and its response against openapi.yaml; TestMain then checks that the tests
// exercised every operation of the document.

// contract is the parsed document and a router over it (servers removed, so any host matches).
var contract = sync.OnceValues(func() (routers.Router, error) {
	doc, err := openapi3.NewLoader().LoadFromData(OpenAPI)
	if err != nil {
		return nil, fmt.Errorf("loading openapi.yaml: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("openapi.yaml is not a valid OpenAPI 3 document: %w", err)
	}
	doc.Servers = nil
	return legacy.NewRouter(doc)
})

// coverage records the operations ("METHOD /path/template") requests reached.
var coverage = struct {
	sync.Mutex
	hit map[string]bool
}{hit: map[string]bool{}}

// invalidRequestKey marks a request the test sends on purpose in violation of the contract (to
// check the server refuses it); the transport then asserts the document refuses it too.
type invalidRequestKey struct{}

// offContractKey marks a request to a route the document does not have (an unknown path or
// method); the transport asserts the document indeed has no such operation.
type offContractKey struct{}

// contractTransport validates every request and response against openapi.yaml.
type contractTransport struct {
	t    testing.TB
	base http.RoundTripper
}

// RoundTrip implements http.RoundTripper.
func (ct *contractTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	router, err := contract()
	if err != nil {
		ct.t.Errorf("contract: %v", err)
		return ct.base.RoundTrip(req)
	}
	var body []byte
	if req.Body != nil {
		if body, err = io.ReadAll(req.Body); err != nil {
			return nil, err
		}
		_ = req.Body.Close()
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	ctx := context.Background()
	check := req.Clone(ctx)
	check.Body = io.NopCloser(bytes.NewReader(body))
	what := req.Method + " " + req.URL.Path

	route, params, err := router.FindRoute(check)
	if req.Context().Value(offContractKey{}) != nil {
		if err == nil {
			ct.t.Errorf("contract: %s was sent as outside openapi.yaml, but the document has the operation %s %s", what, route.Method, route.Path)
		}
		return ct.base.RoundTrip(req)
	}
	if err != nil {
		ct.t.Errorf("contract: %s is not an operation of openapi.yaml: %v", what, err)
		return ct.base.RoundTrip(req)
	}
	coverage.Lock()
	coverage.hit[route.Method+" "+route.Path] = true
	coverage.Unlock()

	in := &openapi3filter.RequestValidationInput{
		Request: check, PathParams: params, Route: route,
		Options: &openapi3filter.Options{
			AuthenticationFunc:  openapi3filter.NoopAuthenticationFunc,
			MultiError:          true,
			SkipSettingDefaults: true,
		},
	}
	reqErr := openapi3filter.ValidateRequest(ctx, in)
	switch invalid := req.Context().Value(invalidRequestKey{}) != nil; {
	case invalid && reqErr == nil:
		ct.t.Errorf("contract: %s was sent as violating openapi.yaml, but the document accepts it (body %s); describe the constraint the server enforces", what, body)
	case !invalid && reqErr != nil:
		ct.t.Errorf("contract: request %s violates openapi.yaml: %v\nbody: %s", what, reqErr, body)
	}

	resp, err := ct.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	respBody, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(respBody))
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 resp.StatusCode,
		Header:                 resp.Header,
		Body:                   io.NopCloser(bytes.NewReader(respBody)),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
		ct.t.Errorf("contract: response %d to %s violates openapi.yaml: %v\nbody: %s", resp.StatusCode, what, err, respBody)
	}
	return resp, nil
}

// TestMain runs the tests, then, when the whole suite ran, fails if some operation of
// openapi.yaml was never exercised.
func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	if code == 0 && flag.Lookup("test.run").Value.String() == "" && flag.Lookup("test.skip").Value.String() == "" {
		if missing := unexercisedOperations(); len(missing) > 0 {
			fmt.Fprintf(os.Stderr, "FAIL: contract coverage: these operations of openapi.yaml were never exercised by a test:\n")
			for _, op := range missing {
				fmt.Fprintf(os.Stderr, "\t%s\n", op)
			}
			code = 1
		}
	}
	os.Exit(code)
}

// unexercisedOperations lists the document's operations no request reached.
func unexercisedOperations() []string {
	doc, err := openapi3.NewLoader().LoadFromData(OpenAPI)
	if err != nil {
		return []string{"openapi.yaml does not load: " + err.Error()}
	}
	coverage.Lock()
	defer coverage.Unlock()
	var missing []string
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			if !coverage.hit[method+" "+path] {
				missing = append(missing, method+" "+path)
			}
		}
	}
	slices.Sort(missing)
	return missing
}

func TestOpenAPIDocumentIsValid(t *testing.T) {
	t.Parallel()
	if _, err := contract(); err != nil {
		t.Fatal(err)
	}
}

// CloseIdleConnections lets http.Client.CloseIdleConnections reach the base transport.
func (ct *contractTransport) CloseIdleConnections() {
	if c, ok := ct.base.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// TestOpenAPIDescribesEverything guards the document as the contract: every schema, property,
// parameter, header and operation says what it is.
func TestOpenAPIDescribesEverything(t *testing.T) {
	t.Parallel()
	doc, err := openapi3.NewLoader().LoadFromData(OpenAPI)
	if err != nil {
		t.Fatal(err)
	}
	var missing []string
	for name, ref := range doc.Components.Schemas {
		if ref.Value.Description == "" {
			missing = append(missing, "schema "+name)
		}
		for prop, p := range ref.Value.Properties {
			if p.Ref == "" && p.Value.Description == "" {
				missing = append(missing, "schema "+name+"."+prop)
			}
		}
	}
	for name, ref := range doc.Components.Parameters {
		if ref.Value.Description == "" {
			missing = append(missing, "parameter "+name)
		}
	}
	for name, ref := range doc.Components.Headers {
		if ref.Value.Description == "" {
			missing = append(missing, "header "+name)
		}
	}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if op.Summary == "" || op.OperationID == "" {
				missing = append(missing, "operation "+method+" "+path)
			}
			for _, p := range append(slices.Clone(item.Parameters), op.Parameters...) {
				if p.Ref == "" && p.Value.Description == "" {
					missing = append(missing, "parameter "+p.Value.Name+" of "+method+" "+path)
				}
			}
		}
	}
	slices.Sort(missing)
	if len(missing) > 0 {
		t.Errorf("openapi.yaml leaves these undescribed:\n%s", strings.Join(missing, "\n"))
	}
}
