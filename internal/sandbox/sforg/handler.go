package sforg

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// API versions the org serves.
const (
	MinAPIVersion = 50
	MaxAPIVersion = 63
)

// releaseNames labels API versions as Salesforce's version list does.
var releaseNames = map[int]string{
	50: "Winter '21", 51: "Spring '21", 52: "Summer '21",
	53: "Winter '22", 54: "Spring '22", 55: "Summer '22",
	56: "Winter '23", 57: "Spring '23", 58: "Summer '23",
	59: "Winter '24", 60: "Spring '24", 61: "Summer '24",
	62: "Winter '25", 63: "Spring '25",
}

// apiError is one element of Salesforce's REST error array.
type apiError struct {
	Message   string `json:"message"`
	ErrorCode string `json:"errorCode"`
}

func writeJSON(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func writeAPIError(w http.ResponseWriter, status int, code, message string) {
	body, _ := json.Marshal([]apiError{{Message: message, ErrorCode: code}})
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", "Token")
	}
	writeJSON(w, status, body)
}

func writeNotFound(w http.ResponseWriter) {
	writeAPIError(w, http.StatusNotFound, CodeNotFound, "The requested resource does not exist")
}

// Handler serves POST /services/oauth2/token, GET /services/data/... (the
// version list, each version's resource list, query and queryAll with their
// continuation locators, limits) and the identity services: GET
// /services/oauth2/userinfo and the identity URL /id/{orgID}/{userID} that
// token responses name. Anything else answers Salesforce's NOT_FOUND.
func (s *Server) Handler() http.Handler {
	return http.HandlerFunc(s.serveHTTP)
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	switch {
	case path == "/services/oauth2/token":
		s.serveToken(w, r)
	case path == "/services/oauth2/userinfo":
		if allowGet(w, r) {
			s.serveUserInfo(w, r)
		}
	case strings.HasPrefix(path, "/id/"):
		if allowGet(w, r) {
			s.serveIdentity(w, r, strings.TrimPrefix(path, "/id/"))
		}
	case path == "/services/data" || path == "/services/data/":
		if !allowGet(w, r) {
			return
		}
		s.serveVersions(w)
	case strings.HasPrefix(path, "/services/data/"):
		s.serveData(w, r, strings.TrimPrefix(path, "/services/data/"))
	default:
		writeNotFound(w)
	}
}

func allowGet(w http.ResponseWriter, r *http.Request) bool {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return true
	}
	w.Header().Set("Allow", "GET,HEAD")
	writeAPIError(w, http.StatusMethodNotAllowed, CodeMethodNotAllowed,
		fmt.Sprintf("HTTP Method '%s' not allowed. Allowed are GET,HEAD", r.Method))
	return false
}

func (s *Server) serveVersions(w http.ResponseWriter) {
	type version struct {
		Label   string `json:"label"`
		URL     string `json:"url"`
		Version string `json:"version"`
	}
	out := make([]version, 0, MaxAPIVersion-MinAPIVersion+1)
	for v := MinAPIVersion; v <= MaxAPIVersion; v++ {
		n := strconv.Itoa(v) + ".0"
		out = append(out, version{Label: releaseNames[v], URL: "/services/data/v" + n, Version: n})
	}
	body, _ := json.Marshal(out)
	writeJSON(w, http.StatusOK, body)
}

// parseVersion accepts "v50.0" .. "v63.0" and returns "50.0" .. "63.0".
func parseVersion(seg string) (string, bool) {
	major, ok := strings.CutSuffix(strings.TrimPrefix(seg, "v"), ".0")
	if !ok || !strings.HasPrefix(seg, "v") {
		return "", false
	}
	n, err := strconv.Atoi(major)
	if err != nil || n < MinAPIVersion || n > MaxAPIVersion || strconv.Itoa(n) != major {
		return "", false
	}
	return major + ".0", true
}

// serveData routes /services/data/vNN.N/...; rest is the path after
// /services/data/.
func (s *Server) serveData(w http.ResponseWriter, r *http.Request, rest string) {
	seg, tail, _ := strings.Cut(rest, "/")
	version, ok := parseVersion(seg)
	if !ok {
		writeNotFound(w)
		return
	}
	tail = strings.TrimSuffix(tail, "/")
	resource, locator, _ := strings.Cut(tail, "/")
	switch resource {
	case "", "query", "queryAll":
	case "limits":
		if locator != "" {
			writeNotFound(w)
			return
		}
	default:
		writeNotFound(w)
		return
	}
	if !allowGet(w, r) {
		return
	}
	o, ds, _, err := s.session(r)
	if err != nil {
		writeAPIError(w, http.StatusUnauthorized, CodeInvalidSessionID, "Session expired or invalid")
		return
	}
	switch {
	case resource == "":
		body, _ := json.Marshal(map[string]string{
			"limits":   "/services/data/v" + version + "/limits",
			"query":    "/services/data/v" + version + "/query",
			"queryAll": "/services/data/v" + version + "/queryAll",
		})
		writeJSON(w, http.StatusOK, body)
	case resource == "limits":
		writeJSON(w, http.StatusOK, limitsBody)
	case locator != "":
		s.serveQueryMore(w, r, o, version, resource, locator)
	default:
		s.serveQuery(w, r, o, ds, version, resource)
	}
}

// limitsBody is the answer of GET /services/data/vNN.N/limits. The simulation enforces no
// limit, so every one is reported untouched; clients (go-salesforce, for one) call the resource
// to check that an access token works.
var limitsBody = func() []byte {
	type limit struct {
		Max       int `json:"Max"`
		Remaining int `json:"Remaining"`
	}
	body, _ := json.Marshal(map[string]limit{
		"ConcurrentAsyncGetReportInstances": {Max: 200, Remaining: 200},
		"DailyApiRequests":                  {Max: 15000, Remaining: 15000},
		"DailyBulkApiBatches":               {Max: 15000, Remaining: 15000},
		"DataStorageMB":                     {Max: 5, Remaining: 5},
		"FileStorageMB":                     {Max: 20, Remaining: 20},
	})
	return body
}()
