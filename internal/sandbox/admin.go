package sandbox

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/salesseat/terraform-provider-salesseat/internal/sandbox/platform"
	"github.com/salesseat/terraform-provider-salesseat/internal/sandbox/sforg"
	"github.com/salesseat/terraform-provider-salesseat/internal/sfid"
)

// adminOrg is an org as GET /admin/v1/orgs lists it.
type adminOrg struct {
	ID              string `json:"id"`
	Name            string `json:"name"`
	LoginURL        string `json:"login_url"`
	ServiceUsername string `json:"service_username"`
	OAuthClientID   string `json:"oauth_client_id"`
}

// adminCRMUserCreate is the body of POST /admin/v1/orgs/{org_id}/users.
type adminCRMUserCreate struct {
	ID        string `json:"id"`
	Username  string `json:"username"`
	Email     string `json:"email"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	Active    *bool  `json:"active"`
	ProfileID string `json:"profile_id"`
	UserRole  string `json:"user_role"`
}

// adminCRMProfileCreate is the body of POST /admin/v1/orgs/{org_id}/profiles.
type adminCRMProfileCreate struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	ViewAllData bool   `json:"view_all_data"`
}

// adminCRMGroupCreate is the body of POST /admin/v1/orgs/{org_id}/groups.
type adminCRMGroupCreate struct {
	ID            string   `json:"id"`
	Name          string   `json:"name"`
	DeveloperName string   `json:"developer_name"`
	MemberIDs     []string `json:"member_ids"`
}

// adminCRMProfilePatch is the body of PATCH /admin/v1/orgs/{org_id}/profiles/{profile_id}.
type adminCRMProfilePatch struct {
	Name *string `json:"name"`
}

// adminPlatformUserCreate is the body of POST /admin/v1/platform-users.
type adminPlatformUserCreate struct {
	Email     string `json:"email"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
}

// orgProblem converts an error of the simulated org into a problem; resource names what
// ErrNotFound refers to once the org itself is known to exist.
func (s *Sandbox) orgProblem(r *http.Request, err error, orgID, resource, id string) *problem {
	switch {
	case errors.Is(err, sforg.ErrNotFound) && !s.orgExists(orgID):
		return orgNotFound(orgID)
	case errors.Is(err, sforg.ErrNotFound):
		p := platform.NotFound(resource, id)
		p.Detail = err.Error()
		return apiProblem(p)
	case errors.Is(err, sforg.ErrInvalid), errors.Is(err, sforg.ErrConflict):
		return invalidField(orgErrorField(err))
	default:
		return s.asProblem(r, err)
	}
}

// orgErrorField splits an input error of the simulated org, such as "invalid input:
// user.profile_id 00e... is not a profile of org 00D...; add the profile or fix the ID", into
// the body field it names ("profile_id") and the message without the sentinel's prefix.
func orgErrorField(err error) (field, message string) {
	message = err.Error()
	for _, sentinel := range []error{sforg.ErrInvalid, sforg.ErrConflict} {
		message = strings.TrimPrefix(message, sentinel.Error()+": ")
	}
	for _, object := range []string{"user.", "profile.", "group."} {
		if rest, ok := strings.CutPrefix(message, object); ok {
			field, _, _ = strings.Cut(rest, " ")
			field = strings.TrimSuffix(field, ":")
			break
		}
	}
	return field, message
}

// orgBody decodes the body of an admin request about the org in the path
// into in and returns the org's ID; ok is false when the answer is written
// already (a malformed body, an unknown org).
func (s *Sandbox) orgBody(w http.ResponseWriter, r *http.Request, in any) (orgID string, ok bool) {
	if _, prob := decodeBody(w, r, in); prob != nil {
		writeProblem(w, r, prob)
		return "", false
	}
	orgID = r.PathValue("org_id")
	if !s.orgExists(orgID) {
		writeProblem(w, r, orgNotFound(orgID))
		return "", false
	}
	return orgID, true
}

// orgExists reports whether the sandbox serves the org (15- or 18-character ID).
func (s *Sandbox) orgExists(orgID string) bool {
	for _, o := range s.org.Orgs() {
		if sfid.Equal(o.ID, orgID) {
			return true
		}
	}
	return false
}

// orgNotFound is the problem for an unknown org ID.
func orgNotFound(orgID string) *problem {
	p := platform.NotFound("org", orgID)
	p.Detail = fmt.Sprintf("The sandbox serves no org %q; list the orgs with GET /admin/v1/orgs.", orgID)
	return apiProblem(p)
}

func (s *Sandbox) adminListOrgs(w http.ResponseWriter, _ *http.Request) {
	items := []adminOrg{}
	for _, o := range s.org.Orgs() {
		items = append(items, adminOrg{
			ID: o.ID, Name: o.Name, LoginURL: s.url,
			ServiceUsername: s.serviceUsername(o.ID), OAuthClientID: o.ConsumerKey,
		})
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items})
}

// serviceUsername is the fixture's service account of an org ("" when it names none).
func (s *Sandbox) serviceUsername(orgID string) string {
	for _, o := range s.fixture.Orgs {
		if sfid.Equal(o.ID, orgID) {
			return o.ServiceUsername
		}
	}
	return ""
}

func (s *Sandbox) adminSetSeatLimit(w http.ResponseWriter, r *http.Request) {
	var in struct {
		SeatLimit *int `json:"seat_limit"`
	}
	if _, prob := decodeBody(w, r, &in); prob != nil {
		writeProblem(w, r, prob)
		return
	}
	if in.SeatLimit == nil {
		writeProblem(w, r, invalidField("seat_limit", "is required: the number of seats bought"))
		return
	}
	acc, err := s.plat.SetSeatLimit(*in.SeatLimit)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, acc)
}

func (s *Sandbox) adminMintRefreshToken(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Username         string `json:"username"`
		ExpiresInSeconds int    `json:"expires_in_seconds"`
	}
	if _, prob := decodeBody(w, r, &in); prob != nil {
		writeProblem(w, r, prob)
		return
	}
	switch {
	case in.Username == "":
		writeProblem(w, r, invalidField("username", "is required: the username of the org user the token authorizes"))
		return
	case in.ExpiresInSeconds < 0:
		writeProblem(w, r, invalidField("expires_in_seconds", "must be 0 (never expires) or more"))
		return
	}
	orgID := r.PathValue("org_id")
	token, err := s.org.MintRefreshToken(orgID, in.Username, time.Duration(in.ExpiresInSeconds)*time.Second)
	if err != nil {
		writeProblem(w, r, s.orgProblem(r, err, orgID, platform.ResourceCRMUser, in.Username))
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"refresh_token": token})
}

func (s *Sandbox) adminExpireRefreshToken(w http.ResponseWriter, r *http.Request) {
	if err := s.ExpireRefreshToken(r.PathValue("connection_id")); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Sandbox) adminRevokeRefreshToken(w http.ResponseWriter, r *http.Request) {
	if err := s.RevokeRefreshToken(r.PathValue("connection_id")); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Sandbox) adminAddCRMUser(w http.ResponseWriter, r *http.Request) {
	var in adminCRMUserCreate
	orgID, ok := s.orgBody(w, r, &in)
	if !ok {
		return
	}
	seed := sforg.UserSeed{
		ID: in.ID, Username: in.Username, Email: in.Email, FirstName: in.FirstName, LastName: in.LastName,
		Active: in.Active == nil || *in.Active, ProfileID: in.ProfileID, UserRoleName: in.UserRole,
	}
	u, err := s.AddCRMUser(r.Context(), orgID, seed)
	if err != nil {
		writeProblem(w, r, s.orgProblem(r, err, orgID, platform.ResourceCRMProfile, in.ProfileID))
		return
	}
	writeJSON(w, http.StatusCreated, u)
}

func (s *Sandbox) adminUpdateCRMUser(w http.ResponseWriter, r *http.Request) {
	var in sforg.UserPatch
	if _, prob := decodeBody(w, r, &in); prob != nil {
		writeProblem(w, r, prob)
		return
	}
	orgID, userID := r.PathValue("org_id"), r.PathValue("user_id")
	u, err := s.UpdateCRMUser(r.Context(), orgID, userID, in)
	if err != nil {
		writeProblem(w, r, s.orgProblem(r, err, orgID, platform.ResourceCRMUser, userID))
		return
	}
	writeJSON(w, http.StatusOK, u)
}

func (s *Sandbox) adminAddCRMProfile(w http.ResponseWriter, r *http.Request) {
	var in adminCRMProfileCreate
	orgID, ok := s.orgBody(w, r, &in)
	if !ok {
		return
	}
	p, err := s.org.AddProfile(orgID, sforg.ProfileSeed{ID: in.ID, Name: in.Name, ViewAllData: in.ViewAllData})
	if err != nil {
		writeProblem(w, r, s.orgProblem(r, err, orgID, platform.ResourceCRMProfile, in.ID))
		return
	}
	s.plat.NotifyCRMChange(r.Context(), orgID)
	writeJSON(w, http.StatusCreated, p)
}

func (s *Sandbox) adminRenameCRMProfile(w http.ResponseWriter, r *http.Request) {
	var in adminCRMProfilePatch
	if _, prob := decodeBody(w, r, &in); prob != nil {
		writeProblem(w, r, prob)
		return
	}
	if in.Name == nil {
		writeProblem(w, r, invalidField("name", "is required: the profile's new name"))
		return
	}
	orgID, profileID := r.PathValue("org_id"), r.PathValue("profile_id")
	p, err := s.org.UpdateProfile(orgID, profileID, *in.Name)
	if err != nil {
		writeProblem(w, r, s.orgProblem(r, err, orgID, platform.ResourceCRMProfile, profileID))
		return
	}
	s.plat.NotifyCRMChange(r.Context(), orgID)
	writeJSON(w, http.StatusOK, p)
}

func (s *Sandbox) adminCreatePlatformUser(w http.ResponseWriter, r *http.Request) {
	var in adminPlatformUserCreate
	if _, prob := decodeBody(w, r, &in); prob != nil {
		writeProblem(w, r, prob)
		return
	}
	pu, err := s.plat.CreatePlatformUser(platform.PlatformUserSeed{Email: in.Email, FirstName: in.FirstName, LastName: in.LastName})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, pu)
}

func (s *Sandbox) adminRunAutomaticSync(w http.ResponseWriter, r *http.Request) {
	rep, err := s.plat.RunAutomaticSync(r.Context(), r.PathValue("connection_id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if rep.Problems == nil {
		rep.Problems = []platform.SyncProblem{}
	}
	writeJSON(w, http.StatusOK, rep)
}

// Salesforce public groups of the simulated org. A membership change is not
// synced at once: as on the real platform, the sales users follow at the
// next sync (POST /admin/v1/connections/{connection_id}/sync).

func (s *Sandbox) adminListCRMGroups(w http.ResponseWriter, r *http.Request) {
	orgID := r.PathValue("org_id")
	groups, err := s.org.Groups(orgID)
	if err != nil {
		writeProblem(w, r, s.orgProblem(r, err, orgID, platform.ResourceCRMGroup, ""))
		return
	}
	if groups == nil {
		groups = []sforg.GroupSeed{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": groups})
}

func (s *Sandbox) adminAddCRMGroup(w http.ResponseWriter, r *http.Request) {
	var in adminCRMGroupCreate
	orgID, ok := s.orgBody(w, r, &in)
	if !ok {
		return
	}
	g, err := s.org.AddGroup(orgID, sforg.GroupSeed{ID: in.ID, Name: in.Name, DeveloperName: in.DeveloperName, MemberIDs: in.MemberIDs})
	if err != nil {
		writeProblem(w, r, s.orgProblem(r, err, orgID, platform.ResourceCRMGroup, in.ID))
		return
	}
	writeJSON(w, http.StatusCreated, g)
}

func (s *Sandbox) adminAddCRMGroupMember(w http.ResponseWriter, r *http.Request) {
	s.adminGroupMember(w, r, s.org.AddGroupMember)
}

func (s *Sandbox) adminRemoveCRMGroupMember(w http.ResponseWriter, r *http.Request) {
	s.adminGroupMember(w, r, s.org.RemoveGroupMember)
}

func (s *Sandbox) adminGroupMember(w http.ResponseWriter, r *http.Request, change func(orgID, groupID, userID string) (sforg.GroupSeed, error)) {
	orgID, groupID, userID := r.PathValue("org_id"), r.PathValue("group_id"), r.PathValue("user_id")
	if !s.orgExists(orgID) {
		writeProblem(w, r, orgNotFound(orgID))
		return
	}
	g, err := change(orgID, groupID, userID)
	if err != nil {
		writeProblem(w, r, s.orgProblem(r, err, orgID, platform.ResourceCRMGroup, groupID))
		return
	}
	writeJSON(w, http.StatusOK, g)
}

// faultRules is the body of PUT /admin/v1/faults and of its answer.
type faultRules struct {
	Rules []FaultRule `json:"rules"`
}

func (s *Sandbox) adminSetFaults(w http.ResponseWriter, r *http.Request) {
	var in faultRules
	obj, prob := decodeBody(w, r, &in)
	if prob != nil {
		writeProblem(w, r, prob)
		return
	}
	if _, ok := obj["rules"]; !ok {
		writeProblem(w, r, invalidField("rules", "is required: the list of rules ([] to clear them)"))
		return
	}
	var errs []platform.FieldError
	for i, rule := range in.Rules {
		if fe := rule.validate(i); fe != nil {
			errs = append(errs, *fe)
		}
	}
	if len(errs) > 0 {
		writeProblem(w, r, apiProblem(platform.ValidationErrors(errs)))
		return
	}
	if in.Rules == nil {
		in.Rules = []FaultRule{}
	}
	s.SetFaults(in.Rules)
	writeJSON(w, http.StatusOK, in)
}

func (s *Sandbox) adminClearFaults(w http.ResponseWriter, _ *http.Request) {
	s.ClearFaults()
	w.WriteHeader(http.StatusNoContent)
}

func (s *Sandbox) adminGetCounters(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"routes": s.Counters()})
}

func (s *Sandbox) adminResetCounters(w http.ResponseWriter, _ *http.Request) {
	s.ResetCounters()
	w.WriteHeader(http.StatusNoContent)
}

func (s *Sandbox) adminReset(w http.ResponseWriter, r *http.Request) {
	if err := s.Reset(); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
