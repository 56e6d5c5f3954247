package sforg

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"testing"
)

func TestConcurrentUse(t *testing.T) {
	env := newTestEnv(t, manyUsersSeed(2500))
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 5 {
				token, err := env.tryLogin("ck-big", "rt-big")
				if err != nil {
					errs <- err
					return
				}
				path := queryPath("63.0", "SELECT Id, Profile.Name FROM User WHERE IsActive = true ORDER BY LastName DESC")
				for path != "" {
					status, body, err := env.tryGet(path, token)
					if err != nil || status != http.StatusOK {
						errs <- fmt.Errorf("goroutine %d: %d %s", g, status, body)
						return
					}
					var page struct{ NextRecordsURL string }
					if err := json.Unmarshal(body, &page); err != nil {
						errs <- err
						return
					}
					path = page.NextRecordsURL
				}
				if _, err := env.srv.AddUser(acmeOrg15, UserSeed{Username: fmt.Sprintf("c%d-%d@big.com", g, i), Email: "c@big.com", LastName: "C", Active: true, ProfileID: "00e000000000002"}); err != nil {
					errs <- err
					return
				}
				env.srv.Snapshot()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	users, err := env.srv.Users(acmeOrg15)
	if err != nil || len(users) != 2501+40 {
		t.Fatalf("%d users after concurrent adds (%v), want %d", len(users), err, 2501+40)
	}
}
