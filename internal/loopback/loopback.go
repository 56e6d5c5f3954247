// Package loopback holds the one rule every layer applies to plain-http URLs:
// http is accepted only for a host that names this machine. The provider's
// validators, the API client, the sandbox and its Salesforce connector all
// ask IsHost, so they can never disagree about what counts as local.
package loopback

import (
	"net"
	"strings"
)

// IsHost reports whether host (a URL's Hostname(), without port or
// brackets) names this machine: "localhost" in any case, or a loopback IP
// address (127.0.0.0/8, ::1).
func IsHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
