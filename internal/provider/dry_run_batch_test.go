package provider

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/salesseat/terraform-provider-salesseat/internal/client"
)

// TestDryRunBatcher runs 40 dry runs concurrently, ten at a time as
// Terraform plans: they share a few validate requests, each caller gets its
// own item's result, and a caller that gives up does not fail the others.
func TestDryRunBatcher(t *testing.T) {
	var calls atomic.Int32
	b := newDryRunBatcher(func(ctx context.Context, opts client.ValidateOptions) (*client.ValidationResult, error) {
		calls.Add(1)
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		res := &client.ValidationResult{Valid: true}
		for i, it := range opts.Items {
			res.Items = append(res.Items, client.ValidationItem{Index: i, Valid: true, CRMUserID: it.CRMUserID})
		}
		return res, nil
	})
	b.window = 30 * time.Millisecond
	sem := make(chan struct{}, 10)
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			id := fmt.Sprintf("005%03d", i)
			got, err := b.run(context.Background(), client.ValidateItem{Action: client.ValidateActionCreate, CRMUserID: id})
			if err == nil && got.CRMUserID != id {
				err = fmt.Errorf("item %s got the result of %s", id, got.CRMUserID)
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if n := calls.Load(); n > 40/10+4 {
		t.Errorf("40 dry runs made %d validate requests, want about 4", n)
	}

	// A leader whose context ends does not take its batch down.
	ctx, cancel := context.WithCancel(context.Background())
	leader := make(chan error, 1)
	go func() {
		_, err := b.run(ctx, client.ValidateItem{CRMUserID: "005lead"})
		leader <- err
	}()
	time.Sleep(5 * time.Millisecond) // the leader opens the batch
	follower := make(chan error, 1)
	go func() {
		got, err := b.run(context.Background(), client.ValidateItem{CRMUserID: "005follow"})
		if err == nil && got.CRMUserID != "005follow" {
			err = fmt.Errorf("the follower got %s", got.CRMUserID)
		}
		follower <- err
	}()
	time.Sleep(5 * time.Millisecond)
	cancel()
	if err := <-follower; err != nil {
		t.Errorf("the follower failed with its leader: %v", err)
	}
	if err := <-leader; err != nil {
		t.Logf("the leader, which gave up: %v", err)
	}
}

// TestDryRunBatcherMissingResult: an answer without the caller's item is an
// error, not a silent pass.
func TestDryRunBatcherMissingResult(t *testing.T) {
	b := newDryRunBatcher(func(context.Context, client.ValidateOptions) (*client.ValidationResult, error) {
		return &client.ValidationResult{Valid: true}, nil
	})
	b.window = time.Millisecond
	if _, err := b.run(context.Background(), client.ValidateItem{CRMUserID: "005x"}); err == nil {
		t.Error("want an error for an answer without the item")
	}
}

// TestSeatLedgerSettle: settle waits until reservations stop, then gives
// the totals of all of them and every name, sorted.
func TestSeatLedgerSettle(t *testing.T) {
	l := newSeatLedger()
	read := func(context.Context) (*client.Account, error) {
		return &client.Account{SeatLimit: 5, SeatsUsed: 3}, nil
	}
	if _, err := l.reserve(context.Background(), "k0", "user-00", read); err != nil {
		t.Fatal(err)
	}
	go func() {
		for i := 1; i < 6; i++ {
			time.Sleep(10 * time.Millisecond)
			_, _ = l.reserve(context.Background(), fmt.Sprintf("k%d", i), fmt.Sprintf("user-%02d", 6-i), read)
		}
	}()
	totals, names := l.settle(context.Background(), 50*time.Millisecond)
	if totals.Planned != 6 || totals.Free != 2 || len(names) != 6 || names[0] != "user-00" || names[5] != "user-05" {
		t.Errorf("settle = %+v, %v; want 6 planned, 2 free, six names sorted", totals, names)
	}
}
