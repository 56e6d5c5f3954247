package sforg

import (
	"net/http"
	"testing"
)

// BenchmarkQuery50kUsers runs a filtered query over 50,000 users and
// renders its first page, the way the query endpoint does.
func BenchmarkQuery50kUsers(b *testing.B) {
	s, err := New(manyUsersSeed(50000)(nil), Options{})
	if err != nil {
		b.Fatal(err)
	}
	ds := s.orgs[s.order[0]].data
	const q = "SELECT Id, Username, Email, FirstName, LastName, IsActive, ProfileId, Profile.Name, UserRole.Name, Profile.PermissionsViewAllData " +
		"FROM User WHERE IsActive = true AND Email LIKE '%@acme.com' AND Profile.Name IN ('Sales Rep') ORDER BY Id"
	b.ReportAllocs()
	for b.Loop() {
		res, qerr := execute(q, ds)
		if qerr != nil {
			b.Fatal(qerr)
		}
		if res.total != 30000 {
			b.Fatalf("totalSize %d, want 30000", res.total)
		}
		_ = renderPage(res, 0, defaultBatchSize, "63.0", "query", "01g000000000000AAA")
	}
}

// BenchmarkQuery50kUsersHTTP is the same query through the handler, all
// pages, with a fresh session.
func BenchmarkQuery50kUsersHTTP(b *testing.B) {
	env := newTestEnv(b, manyUsersSeed(50000))
	token := env.login(b, "ck-big", "rt-big")
	path := queryPath("63.0", "SELECT Id, Username, Email, Profile.Name FROM User WHERE IsActive = true AND Email LIKE '%@acme.com' ORDER BY LastName")
	b.ReportAllocs()
	for b.Loop() {
		next := path
		for next != "" {
			status, _, body := env.get(b, next, token, nil)
			if status != http.StatusOK {
				b.Fatalf("%d %s", status, body)
			}
			next = nextRecordsURL(b, body)
		}
	}
}
