package provider

import (
	"fmt"
	"strings"
	"testing"

	"github.com/salesseat/terraform-provider-salesseat/internal/client"
)

// TestSeatReportSummary checks the summary's Markdown: the totals, one line
// per wasted seat with its fix, names escaped, and a cap.
func TestSeatReportSummary(t *testing.T) {
	none := seatReportSummary(&client.SeatReport{SeatLimit: 25, SeatsUsed: 3, SeatsAvailable: 22})
	if none != "**Seats:** 3 of 25 used, 22 free; none wasted.\n" {
		t.Errorf("no waste: %q", none)
	}
	rep := &client.SeatReport{SeatLimit: 100, SeatsUsed: 90, SeatsAvailable: 10}
	rep.Wasted = append(rep.Wasted, client.WastedSeat{Reason: client.WasteCRMUserInactive, Name: "Ann *Bold*", CRMUsername: "ann_b@acme.example"})
	for i := range 60 {
		rep.Wasted = append(rep.Wasted, client.WastedSeat{Reason: client.WasteConnectionDisconnected, ConnectionID: "conn_1", CRMUsername: fmt.Sprintf("u%02d@acme.example", i)})
	}
	got := seatReportSummary(rep)
	for _, want := range []string{
		"**61 wasted**",
		`- Ann \*Bold\* (ann\_b@acme.example): deactivated in Salesforce: remove the sales user to free the seat`,
		"- u00@acme.example: suspended, connection conn_1 is disconnected: re-authorize it",
		"- and 11 more",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("summary lacks %q:\n%s", want, got)
		}
	}
	if lines := strings.Count(got, "\n- "); lines != summaryMaxWasted+1 {
		t.Errorf("summary has %d list lines, want %d", lines, summaryMaxWasted+1)
	}
}
