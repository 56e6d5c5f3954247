package provider

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/salesseat/terraform-provider-salesseat/internal/client"
)

// dryRunBatcher gathers the dry runs of concurrent plan calls into one
// validate request. Terraform plans resource instances concurrently (ten at
// a time by default), each in its own PlanResourceChange call; a plan of N
// sales users would otherwise send N dry runs. The first call of a batch
// waits window for others to join, then sends them all at once; each caller
// gets its own item's result. The dry run writes nothing, so items of
// different sales users (and connections) are independent, except that the
// API counts seats across the batch, which the plan leaves to the seat
// ledger anyway.
type dryRunBatcher struct {
	validate func(context.Context, client.ValidateOptions) (*client.ValidationResult, error)
	window   time.Duration

	mu   sync.Mutex
	open *dryRunBatch
}

// dryRunBatch is one validate request in the making.
type dryRunBatch struct {
	items []client.ValidateItem
	done  chan struct{}
	res   *client.ValidationResult
	err   error
}

// dryRunWindow is how long the first dry run of a batch waits for others.
const dryRunWindow = 20 * time.Millisecond

func newDryRunBatcher(validate func(context.Context, client.ValidateOptions) (*client.ValidationResult, error)) *dryRunBatcher {
	return &dryRunBatcher{validate: validate, window: dryRunWindow}
}

// run dry-runs item in the next batch and returns its result.
func (b *dryRunBatcher) run(ctx context.Context, item client.ValidateItem) (client.ValidationItem, error) {
	b.mu.Lock()
	batch := b.open
	leader := batch == nil || len(batch.items) >= client.MaxValidateItems
	if leader {
		batch = &dryRunBatch{done: make(chan struct{})}
		b.open = batch
	}
	index := len(batch.items)
	batch.items = append(batch.items, item)
	b.mu.Unlock()

	if leader {
		select {
		case <-time.After(b.window):
		case <-ctx.Done():
		}
		b.mu.Lock()
		if b.open == batch {
			b.open = nil
		}
		items := batch.items
		b.mu.Unlock()
		// The request serves every caller of the batch: the leader's
		// cancellation must not fail the others (the client's own
		// timeouts still bound it).
		batch.res, batch.err = b.validate(context.WithoutCancel(ctx), client.ValidateOptions{Items: items})
		close(batch.done)
	} else {
		select {
		case <-batch.done:
		case <-ctx.Done():
			return client.ValidationItem{}, ctx.Err()
		}
	}
	if batch.err != nil {
		return client.ValidationItem{}, batch.err
	}
	for _, it := range batch.res.Items {
		if it.Index != index {
			continue
		}
		if len(batch.items) > 1 && hasValidationProblem(it) {
			// The API checks a batch's items against each other (one CRM
			// user imported twice); those problems belong to the batch the
			// plan made up, not to the configuration, so the item is
			// checked again on its own. (A CRM user declared twice in the
			// configuration is the seat claims' to report, naming both.)
			res, err := b.validate(ctx, client.ValidateOptions{Items: []client.ValidateItem{item}})
			if err != nil {
				return client.ValidationItem{}, err
			}
			if len(res.Items) == 1 {
				return res.Items[0], nil
			}
			return client.ValidationItem{Valid: res.Valid}, nil
		}
		return it, nil
	}
	return client.ValidationItem{}, fmt.Errorf("the dry run returned no result for item %d of %d; the checks it makes could not be done", index, len(batch.items))
}

// dryRunner returns the provider configuration's dry run batcher.
func (d *providerData) dryRunner() *dryRunBatcher {
	d.dryRunsOnce.Do(func() { d.dryRuns = newDryRunBatcher(d.client.SalesUsers.Validate) })
	return d.dryRuns
}

// hasValidationProblem reports whether the dry run found a validation
// problem with the item.
func hasValidationProblem(it client.ValidationItem) bool {
	for _, p := range it.Problems {
		if p != nil && p.Code == client.CodeValidationFailed {
			return true
		}
	}
	return false
}
