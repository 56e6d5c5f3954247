package loopback

import "testing"

func TestIsHost(t *testing.T) {
	cases := map[string]bool{
		"localhost":            true,
		"LocalHost":            true,
		"127.0.0.1":            true,
		"127.10.0.3":           true,
		"::1":                  true,
		"":                     false,
		"0.0.0.0":              false,
		"10.0.0.1":             false,
		"localhost.evil":       false,
		"login.salesforce.com": false,
		"[::1]":                false, // callers pass Hostname(), which strips brackets
	}
	for host, want := range cases {
		if got := IsHost(host); got != want {
			t.Errorf("IsHost(%q) = %v, want %v", host, got, want)
		}
	}
}
