package platform

import (
	"fmt"
)

// Account returns the account and its seat accounting.
func (p *Platform) Account() Account {
	return view(p, p.accountLocked)
}

func (p *Platform) accountLocked() Account {
	used := p.seatsUsedLocked()
	return Account{
		ID: p.account.ID, Name: p.account.Name, SeatLimit: p.account.SeatLimit,
		SeatsUsed: used, SeatsAvailable: max(0, p.account.SeatLimit-used),
	}
}

// seatsUsedLocked counts the sales users that are not in the recycle bin.
// Every live sales user is indexed by its CRM user ID (rule 1 allows one per
// CRM user), so the index's size is the count; an import stays O(1) however
// many sales users the account has.
func (p *Platform) seatsUsedLocked() int {
	return len(p.liveByCRMID)
}

// SetSeatLimit changes the seat limit (an admin operation: the vendor sells
// seats). A limit below the seats in use is allowed; no seat is free then.
func (p *Platform) SetSeatLimit(n int) (Account, error) {
	if n < 0 {
		return Account{}, Validation("seat_limit", fmt.Sprintf("seat_limit must be 0 or more, got %d", n))
	}
	return commit(p, func() (Account, bool, error) {
		p.account.SeatLimit = n
		return p.accountLocked(), true, nil
	})
}
