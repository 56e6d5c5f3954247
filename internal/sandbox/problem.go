package sandbox

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/salesseat/terraform-provider-salesseat/internal/sandbox/platform"
)

// codeMethodNotAllowed is the problem code of a request to a known path with a method it does
// not support (the platform's codes cover everything else).
const codeMethodNotAllowed = "method_not_allowed"

// problemMediaType is the media type of every error of the provisioning and admin APIs.
const problemMediaType = "application/problem+json"

// invalidField is the 422 validation_failed problem for one invalid field.
func invalidField(field, message string) *platform.Problem {
	return platform.Validation(field, message)
}

// malformed is the 400 validation_failed problem for a body that cannot be parsed at all.
func malformed(detail string) *platform.Problem {
	p := platform.Validation("", detail)
	p.Status = http.StatusBadRequest
	p.Detail = detail
	return p
}

// problemBody renders p as an RFC 9457 document whose instance is the request path.
func problemBody(p *platform.Problem, instance string) []byte {
	cp := *p
	cp.Instance = instance
	if cp.Title == "" {
		cp.Title = http.StatusText(cp.Status)
	}
	data, err := json.Marshal(&cp)
	if err != nil {
		// An extension member that cannot be encoded is a bug of the platform; still answer
		// with a valid problem document.
		data, _ = json.Marshal(platform.Internal("The error could not be encoded: " + err.Error()))
	}
	return data
}

// writeProblem writes p as application/problem+json.
func writeProblem(w http.ResponseWriter, r *http.Request, p *platform.Problem) {
	w.Header().Set("Content-Type", problemMediaType)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(p.Status)
	_, _ = w.Write(problemBody(p, r.URL.Path))
}

// asProblem converts err into the problem to answer with: a *platform.Problem as it is, anything
// else as an internal error whose cause is logged, not sent.
func (s *Sandbox) asProblem(r *http.Request, err error) *platform.Problem {
	var p *platform.Problem
	if !errors.As(err, &p) {
		s.logger.Error("request failed", "method", r.Method, "path", r.URL.Path, "error", err)
	}
	return platform.AsProblem(err)
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
		_, _ = w.Write(problemBody(platform.Internal("The response could not be encoded: "+err.Error()), ""))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(data)
}

// writeObject writes a single object (200) with its ETag.
func writeObject(w http.ResponseWriter, v any, version int) {
	w.Header().Set("ETag", platform.ETag(version))
	writeJSON(w, http.StatusOK, v)
}
