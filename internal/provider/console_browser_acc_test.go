package provider

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/salesseat/terraform-provider-salesseat/internal/client"
)

// The sandbox console's browser test: after a real terraform apply, the console at the sandbox's
// base URL is opened in headless Chromium and checked as a person would see it.

// Environment of the browser test.
const (
	// envChromePath names the browser to drive instead of /usr/bin/chromium.
	envChromePath = "CHROME_PATH"
	// envBrowserTests=1 (CI) fails the test when no browser is found instead of skipping it.
	envBrowserTests = "SALESSEAT_BROWSER_TESTS"
	// envScreenshotDir is where the screenshots go (a CI artifact); the test's temporary
	// directory by default.
	envScreenshotDir = "SALESSEAT_SCREENSHOT_DIR"

	defaultChromePath = "/usr/bin/chromium"
)

// consoleBrowser returns the Chromium to drive, or skips the test (fails it under
// SALESSEAT_BROWSER_TESTS=1) when there is none.
func consoleBrowser(t *testing.T) string {
	t.Helper()
	path := os.Getenv(envChromePath)
	if path == "" {
		path = defaultChromePath
	}
	resolved, err := exec.LookPath(path)
	if err == nil {
		return resolved
	}
	msg := fmt.Sprintf("the sandbox console's browser test needs Chromium at %s (or %s naming another Chrome or Chromium): "+
		"install it with `apt-get install -y chromium` (%v)", path, envChromePath, err)
	if os.Getenv(envBrowserTests) == "1" {
		t.Fatalf("%s; %s=1 makes a missing browser fail the test instead of skipping it", msg, envBrowserTests)
	}
	t.Skip(msg)
	return ""
}

func TestAccSandboxConsole(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	browser := consoleBrowser(t)
	conn := e.createConnection(t)

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             e.checkDestroy,
		Steps: []resource.TestStep{
			{
				Config: e.config(rosterConfig(conn, fmt.Sprintf(`
  members = {
    %q = { role = "sales" }
    %q = { role = "sales_manager" }
    %q = { role = "marketing" }
  }`, userJordan, userPriya, userMarco))),
				Check: func(*terraform.State) error {
					return checkConsoleInBrowser(t, e, browser, conn)
				},
			},
		},
	})
}

// checkConsoleInBrowser opens the console in headless Chromium after the apply and checks the
// seat summary against the API, the filter form, the screenshots, and that the open page
// follows a change made through the API by itself.
func checkConsoleInBrowser(t *testing.T, e *accEnv, browser, conn string) error {
	t.Helper()
	// The whole browser session is bounded; each wait below has its own, shorter bound.
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(browser),
		chromedp.NoSandbox, // CI runs as root, where Chromium's sandbox cannot start
		chromedp.DisableGPU,
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(1280, 900),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	tab, cancelTab := chromedp.NewContext(allocCtx, chromedp.WithErrorf(t.Logf))
	defer cancelTab()
	// The first run starts the browser, which lives as long as that run's context: tab's.
	if err := chromedp.Do(tab); err != nil {
		return fmt.Errorf("starting %s: %w", browser, err)
	}

	within := func(d time.Duration, steps ...chromedp.Action[chromedp.Void]) error {
		stepCtx, cancel := context.WithTimeout(tab, d)
		defer cancel()
		return chromedp.Do(stepCtx, steps...)
	}
	seats := func() ([3]int, error) {
		var out [3]int
		for i, id := range []string{"seat-limit", "seats-used", "seats-available"} {
			attr, err := chromedp.Run(tab, chromedp.AttributeValue(chromedp.ID(id), "data-value"))
			if err != nil {
				return out, fmt.Errorf("reading #%s: %w", id, err)
			}
			text, err := chromedp.Run(tab, chromedp.Text(chromedp.ID(id)))
			if err != nil {
				return out, fmt.Errorf("reading #%s: %w", id, err)
			}
			if out[i], err = strconv.Atoi(attr.Value); err != nil || strings.TrimSpace(text) != attr.Value {
				return out, fmt.Errorf("#%s shows %q with data-value %q", id, text, attr.Value)
			}
		}
		return out, nil
	}
	apiSeats := func() ([3]int, error) {
		acc, err := e.client.Account.Read(ctx)
		if err != nil {
			return [3]int{}, fmt.Errorf("reading the account: %w", err)
		}
		return [3]int{acc.SeatLimit, acc.SeatsUsed, acc.SeatsAvailable}, nil
	}
	rows := func() ([]string, error) {
		return chromedp.Run(tab, chromedp.Evaluate[[]string](
			`[...document.querySelectorAll("#sales-users-table tbody tr")].map((r) => r.querySelector("th").textContent)`))
	}
	// navigate runs an action that leaves the page (a form submit, a link) and waits for the
	// new document: a marker set in the old one is gone, and the URL is one urlOK accepts.
	navigate := func(what string, action chromedp.Action[chromedp.Void], urlOK func(string) bool) error {
		if _, err := chromedp.Run(tab, chromedp.Evaluate[bool](`window.__beforeNavigation = true`)); err != nil {
			return fmt.Errorf("marking the page before %s: %w", what, err)
		}
		if err := within(10*time.Second, action); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		deadline := time.Now().Add(10 * time.Second)
		for {
			// While the documents change, the evaluation may fail: try again.
			loc, err := chromedp.Run(tab, chromedp.Location())
			if err == nil {
				var fresh bool
				fresh, err = chromedp.Run(tab, chromedp.Evaluate[bool](`window.__beforeNavigation !== true && document.readyState !== "loading"`))
				if err == nil && fresh && urlOK(loc) {
					return within(10*time.Second, chromedp.WaitReady(chromedp.ID("sales-users-body")))
				}
			}
			if time.Now().After(deadline) {
				if err != nil {
					return fmt.Errorf("%s: no new page within 10s (at %q): %w", what, loc, err)
				}
				return fmt.Errorf("%s: no new page within 10s (at %q)", what, loc)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}

	// The page after the apply: the seat summary is the account's.
	consoleURL := e.creds.Endpoint + "/"
	if err := within(20*time.Second,
		chromedp.Navigate(consoleURL),
		chromedp.WaitVisible(chromedp.ID("seat-summary")),
		// The refresh script runs (it says so in the header).
		chromedp.Poll[chromedp.Void](`document.getElementById("live-status").textContent.startsWith("Live")`,
			chromedp.WithPollingTimeout(10*time.Second)),
	); err != nil {
		return fmt.Errorf("opening the console at %s: %w", consoleURL, err)
	}
	shown, err := seats()
	if err != nil {
		return err
	}
	want, err := apiSeats()
	if err != nil {
		return err
	}
	if shown != want || want[1] != 3 {
		return fmt.Errorf("the console shows seats (limit, used, available) %v; the API says %v after a roster of 3", shown, want)
	}
	if got, err := rows(); err != nil {
		return err
	} else if !slices.Equal(got, []string{usernameJordan, usernameMarco, usernamePriya}) {
		return fmt.Errorf("the sales users table lists %v, want the roster's 3 by username", got)
	}

	// The filter form: the connection and a search, applied by the server.
	if err := within(10*time.Second,
		chromedp.SetValue(chromedp.ID("f-connection"), conn),
		chromedp.SendKeys(chromedp.ID("f-q"), "PRIYA"),
	); err != nil {
		return fmt.Errorf("filling the filter form: %w", err)
	}
	if err := navigate("applying the filter", chromedp.Click(chromedp.ID("f-submit")), func(loc string) bool {
		return strings.Contains(loc, "q=PRIYA")
	}); err != nil {
		return err
	}
	if got, err := rows(); err != nil {
		return err
	} else if !slices.Equal(got, []string{usernamePriya}) {
		return fmt.Errorf("filtered by %q on the connection, the table lists %v, want %s", "PRIYA", got, usernamePriya)
	}
	if q, err := chromedp.Run(tab, chromedp.Value(chromedp.ID("f-q"))); err != nil {
		return err
	} else if q != "PRIYA" {
		return fmt.Errorf("the search field shows %q after filtering", q)
	}
	if c, err := chromedp.Run(tab, chromedp.Value(chromedp.ID("f-connection"))); err != nil {
		return err
	} else if c != conn {
		return fmt.Errorf("the connection filter shows %q after filtering, want %s", c, conn)
	}
	if err := navigate("clearing the filter", chromedp.Click(chromedp.ID("f-clear")), func(loc string) bool {
		return !strings.Contains(loc, "q=") && strings.HasSuffix(loc, "/#sales-users")
	}); err != nil {
		return err
	}
	if got, err := rows(); err != nil {
		return err
	} else if len(got) != 3 {
		return fmt.Errorf("after clearing the filter the table lists %v, want 3", got)
	}

	// Screenshots: the seat summary and the full page, both PNGs of a real rendering.
	dir := os.Getenv(envScreenshotDir)
	if dir == "" {
		dir = t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o750); err != nil { //nolint:gosec // the test runner's own setting names the directory
		return fmt.Errorf("creating the screenshot directory: %w", err)
	}
	if err := checkSeatPixels(tab, t, dir, apiSeats); err != nil {
		return err
	}
	summaryPNG, err := chromedp.Run(tab, chromedp.Screenshot(chromedp.ID("seat-summary")))
	if err != nil {
		return fmt.Errorf("taking a screenshot of the seat summary: %w", err)
	}
	pagePNG, err := chromedp.Run(tab, chromedp.FullScreenshot(100))
	if err != nil {
		return fmt.Errorf("taking a screenshot of the page: %w", err)
	}
	for _, shot := range []struct {
		name          string
		data          []byte
		minW, minH    int
		maxW, maxH    int
		minimumColors int
	}{
		{"console-seat-summary.png", summaryPNG, 200, 40, 1400, 600, 2},
		{"console-full-page.png", pagePNG, 800, 600, 3000, 20000, 2},
	} {
		path := filepath.Join(dir, shot.name)
		if err := os.WriteFile(path, shot.data, 0o600); err != nil { //nolint:gosec // the test runner's own setting names the directory
			return fmt.Errorf("writing %s: %w", path, err)
		}
		t.Logf("screenshot: %s", path)
		img, err := png.Decode(bytes.NewReader(shot.data))
		if err != nil {
			return fmt.Errorf("%s is not a PNG: %w", path, err)
		}
		b := img.Bounds()
		if b.Dx() < shot.minW || b.Dy() < shot.minH || b.Dx() > shot.maxW || b.Dy() > shot.maxH {
			return fmt.Errorf("%s is %dx%d, want between %dx%d and %dx%d", path, b.Dx(), b.Dy(), shot.minW, shot.minH, shot.maxW, shot.maxH)
		}
		if n := colors(img, shot.minimumColors); n < shot.minimumColors {
			return fmt.Errorf("%s is blank: %d color(s)", path, n)
		}
	}

	// A change through the API while the page is open: the page follows by itself. A marker
	// in the page's JavaScript state proves it was not reloaded.
	if _, err := chromedp.Run(tab, chromedp.Evaluate[bool](`window.consoleTestMarker = true`)); err != nil {
		return fmt.Errorf("marking the page: %w", err)
	}
	extra, err := e.client.SalesUsers.Create(ctx, client.SalesUserCreateOptions{ConnectionID: conn, CRMUserID: userAvery, Role: "sales"})
	if err != nil {
		return fmt.Errorf("creating a sales user through the API: %w", err)
	}
	// The sales user is outside the roster: it goes before the destroy checks it.
	defer func() {
		if err := e.client.SalesUsers.Delete(context.Background(), extra.ID); err != nil && !errors.Is(err, client.ErrNotFound) {
			t.Errorf("deleting the extra sales user %s: %v", extra.ID, err)
		}
	}()
	want, err = apiSeats()
	if err != nil {
		return err
	}
	if err := within(15*time.Second, chromedp.Poll[chromedp.Void](
		fmt.Sprintf(`document.getElementById("seats-used").dataset.value === "%d"`, want[1]),
		chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		shown, _ := seats()
		return fmt.Errorf("the open page did not update itself to %d seats used after a sales user was created (it shows %v): %w", want[1], shown, err)
	}
	if shown, err = seats(); err != nil {
		return err
	} else if shown != want {
		return fmt.Errorf("after the change the page shows seats %v, the API says %v", shown, want)
	}
	if marked, err := chromedp.Run(tab, chromedp.Evaluate[bool](`window.consoleTestMarker === true`)); err != nil {
		return err
	} else if !marked {
		return errors.New("the page was reloaded instead of updated in place")
	}
	if got, err := rows(); err != nil {
		return err
	} else if !slices.Contains(got, usernameAvery) || len(got) != 4 {
		return fmt.Errorf("after the change the table lists %v, want 4 with %s", got, usernameAvery)
	}
	return nil
}

// checkSeatPixels checks that the seat numbers a person sees are the API's, through the
// pixels: next to each of #seat-limit, #seats-used and #seats-available it inserts a clone
// whose text is the API's number, and the screenshots of the element and of its clone must be
// the same picture; with another number in the clone they must differ, so the digits are in
// the picture. The clones are removed afterwards.
func checkSeatPixels(tab context.Context, t *testing.T, dir string, apiSeats func() ([3]int, error)) error {
	t.Helper()
	want, err := apiSeats()
	if err != nil {
		return err
	}
	// Reading the account through the API is a counted request: the page refreshes its
	// counters. Wait until it is current, so that no refresh swaps the seat summary (and the
	// clones in it) while the pictures are taken.
	if err := waitCurrent(tab); err != nil {
		return err
	}
	defer func() {
		if _, err := chromedp.Run(tab, chromedp.Evaluate[bool](
			`document.querySelectorAll("[data-test-clone]").forEach((c) => c.remove()); true`)); err != nil {
			t.Errorf("removing the clones of the seat numbers: %v", err)
		}
	}()
	shot := func(id string) ([]byte, error) {
		stepCtx, cancel := context.WithTimeout(tab, 10*time.Second)
		defer cancel()
		return chromedp.Run(stepCtx, chromedp.Screenshot(chromedp.ID(id)))
	}
	for i, id := range []string{"seat-limit", "seats-used", "seats-available"} {
		clone := id + "-clone"
		// The clone follows the element in the same box, shifted by a fraction of a pixel to
		// the same sub-pixel position, so that its glyphs are drawn exactly alike.
		offset, err := chromedp.Run(tab, chromedp.Evaluate[[]float64](fmt.Sprintf(`(() => {
  const el = document.getElementById(%[1]q);
  const c = el.cloneNode(true);
  c.id = %[2]q;
  c.removeAttribute("data-value");
  c.setAttribute("data-test-clone", "");
  c.textContent = %[3]q;
  el.after(c);
  const a = el.getBoundingClientRect(), b = c.getBoundingClientRect();
  const dx = b.left - a.left, dy = b.top - a.top;
  c.style.position = "relative";
  c.style.left = (Math.round(dx) - dx) + "px";
  c.style.top = (Math.round(dy) - dy) + "px";
  const r = c.getBoundingClientRect();
  return [r.left - a.left, r.top - a.top, r.width - a.width, r.height - a.height];
})()`, id, clone, strconv.Itoa(want[i]))))
		if err != nil {
			return fmt.Errorf("inserting a clone of #%s: %w", id, err)
		}
		t.Logf("#%s: clone offset (x, y, width, height) %v", id, offset)
		orig, err := shot(id)
		if err != nil {
			return fmt.Errorf("taking a screenshot of #%s: %w", id, err)
		}
		same, err := shot(clone)
		if err != nil {
			return fmt.Errorf("taking a screenshot of #%s: %w", clone, err)
		}
		if _, err := chromedp.Run(tab, chromedp.Evaluate[bool](fmt.Sprintf(
			`document.getElementById(%q).textContent = %q; true`, clone, strconv.Itoa(want[i]+1)))); err != nil {
			return fmt.Errorf("changing the number of #%s: %w", clone, err)
		}
		other, err := shot(clone)
		if err != nil {
			return fmt.Errorf("taking a screenshot of #%s: %w", clone, err)
		}
		save := func(name string, data []byte) string {
			path := filepath.Join(dir, name)
			if err := os.WriteFile(path, data, 0o600); err != nil { //nolint:gosec // the test runner's own setting names the directory
				t.Errorf("writing %s: %v", path, err)
			}
			return path
		}
		origPath := save("console-"+id+".png", orig)
		samePath := save("console-"+id+"-api.png", same)
		otherPath := save("console-"+id+"-other.png", other)
		diff, err := pixelDiff(orig, same)
		if err != nil {
			return fmt.Errorf("comparing the screenshots of #%s: %w", id, err)
		}
		if diff != "" {
			return fmt.Errorf("#%s does not look like the API's %d: its screenshot %s and that of the same box with the text %d, %s, differ: %s",
				id, want[i], origPath, want[i], samePath, diff)
		}
		if diff, err = pixelDiff(orig, other); err != nil {
			return fmt.Errorf("comparing the screenshots of #%s: %w", id, err)
		} else if diff == "" {
			return fmt.Errorf("#%s looks the same with the text %d (%s) as with %d (%s): the screenshot does not show the digits",
				id, want[i]+1, otherPath, want[i], origPath)
		}
	}
	return nil
}

// waitCurrent waits until the open console shows the sandbox's current change token, and says
// it is live.
func waitCurrent(tab context.Context) error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		current, err := chromedp.Run(tab, chromedp.Evaluate[bool](`fetch("console/changes", { cache: "no-store" })
  .then((r) => r.json())
  .then((b) => b.token === document.documentElement.dataset.changeToken &&
    document.getElementById("live-status").textContent.startsWith("Live"))`, chromedp.EvalAwaitPromise))
		if err == nil && current {
			return nil
		}
		if time.Now().After(deadline) {
			if err != nil {
				return fmt.Errorf("the console did not catch up with the sandbox within 10s: %w", err)
			}
			return errors.New("the console did not catch up with the sandbox within 10s")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// pixelDiff compares two PNGs: "" when they are the same picture (same size and pixels), else
// how they differ.
func pixelDiff(a, b []byte) (string, error) {
	imgA, err := png.Decode(bytes.NewReader(a))
	if err != nil {
		return "", err
	}
	imgB, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		return "", err
	}
	ba, bb := imgA.Bounds(), imgB.Bounds()
	if ba.Dx() != bb.Dx() || ba.Dy() != bb.Dy() {
		return fmt.Sprintf("%dx%d against %dx%d", ba.Dx(), ba.Dy(), bb.Dx(), bb.Dy()), nil
	}
	n := 0
	for y := range ba.Dy() {
		for x := range ba.Dx() {
			if colorAt(imgA, ba.Min.X+x, ba.Min.Y+y) != colorAt(imgB, bb.Min.X+x, bb.Min.Y+y) {
				n++
			}
		}
	}
	if n == 0 {
		return "", nil
	}
	return fmt.Sprintf("%d of %d pixels differ", n, ba.Dx()*ba.Dy()), nil
}

// colorAt is the color of a pixel, comparable.
func colorAt(img image.Image, x, y int) [4]uint32 {
	r, g, b, a := img.At(x, y).RGBA()
	return [4]uint32{r, g, b, a}
}

// colors counts the distinct colors of an image, stopping at enough.
func colors(img image.Image, enough int) int {
	seen := map[[4]uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, a := img.At(x, y).RGBA()
			seen[[4]uint32{r, g, bl, a}] = true
			if len(seen) >= enough {
				return len(seen)
			}
		}
	}
	return len(seen)
}
