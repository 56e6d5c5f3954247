package client_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/salesseat/terraform-provider-salesseat/internal/client"
)

// fakeSalesseat is a minimal stand-in for the API, so the examples run.
func fakeSalesseat() *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /oauth/token", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = fmt.Fprint(w, `{"access_token":"tok","token_type":"Bearer","expires_in":3600}`)
	})
	mux.HandleFunc("GET /api/v1/account", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = fmt.Fprint(w, `{"id":"acc_1","name":"Acme","seat_limit":25,"seats_used":25,"seats_available":0}`)
	})
	mux.HandleFunc("GET /api/v1/sales-users", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Query().Get("cursor") == "" {
			_, _ = fmt.Fprint(w, `{"items":[{"id":"su_1","crm_username":"ann@acme.com"}],"next_cursor":"p2"}`)
			return
		}
		_, _ = fmt.Fprint(w, `{"items":[{"id":"su_2","crm_username":"bob@acme.com"}]}`)
	})
	mux.HandleFunc("POST /api/v1/sales-users", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(http.StatusConflict)
		_ = json.NewEncoder(w).Encode(map[string]any{
			"type": "https://salesseat.dev/problems/seat_limit_reached", "title": "Seat limit reached",
			"status": 409, "code": "seat_limit_reached", "seats_used": 25, "seat_limit": 25, "seats_requested": 1,
			"detail": "All 25 seats are in use; delete a sales user or raise the seat limit.",
		})
	})
	return httptest.NewServer(mux)
}

func ExampleNew() {
	srv := fakeSalesseat()
	defer srv.Close()

	c, err := client.New(client.Config{
		Endpoint:     srv.URL, // https is required except on loopback hosts
		ClientID:     "my-client",
		ClientSecret: "my-secret",
		UserAgent:    "terraform-provider-salesseat/1.0.0",
	})
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	// Fail fast on bad credentials.
	if err := c.Authenticate(ctx); err != nil {
		log.Fatal(err)
	}
	acc, err := c.Account.Read(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s: %d of %d seats used\n", acc.Name, acc.SeatsUsed, acc.SeatLimit)
	// Output: Acme: 25 of 25 seats used
}

func ExampleSalesUserService_list() {
	srv := fakeSalesseat()
	defer srv.Close()
	c, _ := client.New(client.Config{Endpoint: srv.URL, ClientID: "my-client", ClientSecret: "my-secret"})

	// The iterator fetches further pages as the loop needs them.
	for u, err := range c.SalesUsers.List(context.Background(), client.SalesUserListOptions{PageSize: 100}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(u.ID, u.CRMUsername)
	}
	// Output:
	// su_1 ann@acme.com
	// su_2 bob@acme.com
}

func ExampleError() {
	srv := fakeSalesseat()
	defer srv.Close()
	c, _ := client.New(client.Config{Endpoint: srv.URL, ClientID: "my-client", ClientSecret: "my-secret"})

	_, err := c.SalesUsers.Create(context.Background(), client.SalesUserCreateOptions{
		ConnectionID: "conn_1",
		CRMUserID:    "005000000000001", // 15-character IDs are sent as 18
	})
	var apiErr *client.Error
	if errors.Is(err, client.ErrSeatLimitReached) && errors.As(err, &apiErr) {
		fmt.Printf("%d of %d seats used\n", apiErr.SeatsUsed, apiErr.SeatLimit)
	}
	fmt.Println(err)
	// Output:
	// 25 of 25 seats used
	// salesseat API: seat_limit_reached (409): All 25 seats are in use; delete a sales user or raise the seat limit.
}

func ExampleCollect() {
	srv := fakeSalesseat()
	defer srv.Close()
	c, _ := client.New(client.Config{Endpoint: srv.URL, ClientID: "my-client", ClientSecret: "my-secret"})

	users, err := client.Collect(c.SalesUsers.List(context.Background(), client.SalesUserListOptions{}))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(users), "sales users")
	// Output: 2 sales users
}
