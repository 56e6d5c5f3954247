package sandbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/salesseat/terraform-provider-salesseat/internal/sandbox/platform"
)

// codeMethodNotAllowed is the problem code of a request to a known path with a method it does
// not support (the platform's codes cover everything else).
const codeMethodNotAllowed = "method_not_allowed"

// codeIdempotencyKeyReused is the problem code of an Idempotency-Key sent again with another
// request; idempotency keys are a protocol feature of this layer.
const codeIdempotencyKeyReused = "idempotency_key_reused"

// problemMediaType is the media type of every error of the provisioning and admin APIs.
const problemMediaType = "application/problem+json"

// problemStatus is the HTTP status of each problem code: the platform says what rule was
// broken, the HTTP layer what status that is.
var problemStatus = map[string]int{
	platform.CodeValidationFailed:                http.StatusUnprocessableEntity,
	platform.CodeNotFound:                        http.StatusNotFound,
	platform.CodeUnauthorized:                    http.StatusUnauthorized,
	platform.CodeInsufficientScope:               http.StatusForbidden,
	platform.CodeSeatLimitReached:                http.StatusConflict,
	platform.CodeCRMUsernameMapped:               http.StatusConflict,
	platform.CodeCRMUsernameReserved:             http.StatusConflict,
	platform.CodeProfileNotMapped:                http.StatusUnprocessableEntity,
	platform.CodeCRMUserInactive:                 http.StatusUnprocessableEntity,
	platform.CodeServiceAccountNotAllowed:        http.StatusUnprocessableEntity,
	platform.CodeConnectionDisconnected:          http.StatusConflict,
	platform.CodeCRMAuthorizationFailed:          http.StatusUnprocessableEntity,
	platform.CodeServiceAccountMissingPermission: http.StatusUnprocessableEntity,
	platform.CodeRoleMappingExists:               http.StatusConflict,
	platform.CodeUserManagementInSalesforce:      http.StatusConflict,
	platform.CodePreconditionFailed:              http.StatusPreconditionFailed,
	platform.CodeRateLimited:                     http.StatusTooManyRequests,
	platform.CodeInternalError:                   http.StatusInternalServerError,
	platform.CodeUnavailable:                     http.StatusServiceUnavailable,
	codeIdempotencyKeyReused:                     http.StatusUnprocessableEntity,
	codeMethodNotAllowed:                         http.StatusMethodNotAllowed,
}

// problem is a problem as the API answers it: a platform problem and its HTTP status.
type problem struct {
	*platform.Problem
	// status overrides the status of the code, for the few problems of this layer whose
	// status is not their code's (a body that is not JSON is a 400 validation_failed).
	status int
}

// apiProblem wraps a platform problem for answering.
func apiProblem(p *platform.Problem) *problem {
	return &problem{Problem: p}
}

// Status is the HTTP status the problem is answered with.
func (p *problem) Status() int {
	if p.status != 0 {
		return p.status
	}
	if s, ok := problemStatus[p.Code]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// invalidField is the 422 validation_failed problem for one invalid field.
func invalidField(field, message string) *problem {
	return apiProblem(platform.Validation(field, message))
}

// malformed is the 400 validation_failed problem for a body that cannot be parsed at all.
func malformed(detail string) *problem {
	p := platform.Validation("", detail)
	p.Detail = detail
	return &problem{Problem: p, status: http.StatusBadRequest}
}

// idempotencyKeyReused is the problem of an Idempotency-Key used with a different request.
func idempotencyKeyReused(key string) *problem {
	detail := fmt.Sprintf("The Idempotency-Key %q was already used with a different request body within the last 24 hours. "+
		"Use a new key for a different request; reuse a key only to retry the identical request.", key)
	return apiProblem(&platform.Problem{Code: codeIdempotencyKeyReused, Title: "Idempotency key reused", Detail: detail})
}

// etag renders a version of an object as the strong entity tag the API sends.
func etag(version int) string {
	return strconv.Quote(strconv.Itoa(version))
}

// problemDocument is the RFC 9457 document of p: the members type, title, status, detail, code
// and instance (the request path, when known), plus the platform's extension members. A stale
// object (precondition_failed) is told in entity tags, the API's form of a version.
func problemDocument(p *problem, instance string) map[string]any {
	detail := p.Detail
	m := make(map[string]any, len(p.Ext)+7)
	for k, v := range p.Ext {
		m[k] = v
	}
	if s := p.Stale; s != nil {
		tag := etag(s.Version)
		detail = fmt.Sprintf("The %s %s changed since you read it (its ETag is now %s), so the update was not applied. "+
			"Read it again, re-apply your change to the current version, and send If-Match: %s (in Terraform: run terraform apply again, which refreshes first).",
			strings.ReplaceAll(s.Resource, "_", " "), s.ID, tag, tag)
		m["current_etag"] = tag
	}
	title := p.Title
	if title == "" {
		title = http.StatusText(p.Status())
	}
	m["type"] = p.Type()
	m["title"] = title
	m["status"] = p.Status()
	m["detail"] = detail
	m["code"] = p.Code
	if instance != "" {
		m["instance"] = instance
	}
	return m
}

// problemBody renders p as an RFC 9457 document whose instance is the request path.
func problemBody(p *problem, instance string) []byte {
	data, err := json.Marshal(problemDocument(p, instance))
	if err != nil {
		// An extension member that cannot be encoded is a bug of the platform; still answer
		// with a valid problem document.
		data, _ = json.Marshal(problemDocument(apiProblem(platform.Internal("The error could not be encoded: "+err.Error())), ""))
	}
	return data
}

// writeProblem writes p as application/problem+json.
func writeProblem(w http.ResponseWriter, r *http.Request, p *problem) {
	w.Header().Set("Content-Type", problemMediaType)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(p.Status())
	_, _ = w.Write(problemBody(p, r.URL.Path))
}

// asProblem converts err into the problem to answer with: a *platform.Problem as it is, anything
// else as an internal error whose cause is logged, not sent.
func (s *Sandbox) asProblem(r *http.Request, err error) *problem {
	var p *problem
	if errors.As(err, &p) {
		return p
	}
	var pp *platform.Problem
	if !errors.As(err, &pp) {
		s.logger.Error("request failed", "method", r.Method, "path", r.URL.Path, "error", err)
	}
	return apiProblem(platform.AsProblem(err))
}

// writeError answers err as a problem.
func (s *Sandbox) writeError(w http.ResponseWriter, r *http.Request, err error) {
	writeProblem(w, r, s.asProblem(r, err))
}

// writeJSON writes v as application/json with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		w.Header().Set("Content-Type", problemMediaType)
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write(problemBody(apiProblem(platform.Internal("The response could not be encoded: "+err.Error())), ""))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(data)
}

// writeObject writes a single object (200) with the ETag of its version.
func writeObject(w http.ResponseWriter, v any, version int) {
	w.Header().Set("ETag", etag(version))
	writeJSON(w, http.StatusOK, v)
}
