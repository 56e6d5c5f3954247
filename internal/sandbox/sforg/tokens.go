package sforg

import (
	"fmt"
	"time"
)

type refreshToken struct {
	token, orgID, userID string
	issuedAt, expiresAt  time.Time
	expired, revoked     bool
}

type accessToken struct {
	token, orgID, userID string
	refresh              string // the refresh token it was issued from ("" for JWT)
	expiresAt            time.Time
}

// MintRefreshToken issues a refresh token for a user of the org, as if the
// user had approved the connected app. ttl 0 means it never expires.
func (s *Server) MintRefreshToken(orgID, username string, ttl time.Duration) (string, error) {
	if ttl < 0 {
		return "", fmt.Errorf("%w: refresh token lifetime %s is negative; use 0 for a token that never expires", ErrInvalid, ttl)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o, err := s.lookupOrg(orgID)
	if err != nil {
		return "", err
	}
	u := findUsername(o.data, username)
	if u == nil {
		return "", fmt.Errorf("user %q in org %s: %w", username, o.id, ErrNotFound)
	}
	now := s.now()
	rt := &refreshToken{token: newRefreshToken(), orgID: o.id, userID: u.ID, issuedAt: now}
	if ttl > 0 {
		rt.expiresAt = now.Add(ttl)
	}
	s.refresh[rt.token] = rt
	return rt.token, nil
}

// ExpireRefreshToken marks a refresh token expired: the token endpoint
// answers invalid_grant "expired access/refresh token" for it, and the
// access tokens issued from it stop working.
func (s *Server) ExpireRefreshToken(token string) error {
	return s.killRefreshToken(token, func(rt *refreshToken) { rt.expired = true })
}

// RevokeRefreshToken marks a refresh token revoked: the token endpoint
// answers invalid_grant "token revoked" for it, and the access tokens
// issued from it stop working.
func (s *Server) RevokeRefreshToken(token string) error {
	return s.killRefreshToken(token, func(rt *refreshToken) { rt.revoked = true })
}

func (s *Server) killRefreshToken(token string, mark func(*refreshToken)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	rt, ok := s.refresh[token]
	if !ok {
		return fmt.Errorf("refresh token: %w", ErrNotFound)
	}
	mark(rt)
	for k, at := range s.access {
		if at.refresh == token {
			delete(s.access, k)
		}
	}
	return nil
}

// ExpireAccessTokens ends every session of the org, so clients must run
// their grant again (a JWT bearer client simply re-authorizes). An unknown
// org is ignored.
func (s *Server) ExpireAccessTokens(orgID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, err := s.lookupOrg(orgID)
	if err != nil {
		return
	}
	for k, at := range s.access {
		if at.orgID == o.id {
			delete(s.access, k)
		}
	}
}
