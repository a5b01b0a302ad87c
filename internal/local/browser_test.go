package local

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/blogctl/blogctl/internal/testenv"
)

// chromiumPath returns Debian's chromium, or "" when it is not installed.
func chromiumPath() string {
	for _, name := range []string{"/usr/bin/chromium", "chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// newBrowser starts a headless Chromium with a fresh profile that stays off
// the network, and returns a tab's context.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	path := chromiumPath()
	testenv.Need(t, path != "", "chromium", "install Debian's chromium package")
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1200, 900),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-dev-shm-usage", true),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc()
	})

	// Start the browser on a context without a deadline, which would stop
	// it; bound the test's own steps instead.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	tctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(cancel)
	return tctx
}

// Scripts run in the page to find a post's card by its title.
const (
	jsCardID = `(() => {
		const c = [...document.querySelectorAll("#posts > li")]
			.find((li) => li.querySelector(".post-title").textContent === %q);
		return c ? c.dataset.id : "";
	})()`
	jsComments = `[...document.querySelectorAll('#posts > li[data-id="%s"] .comments li')]
		.map((li) => li.textContent)`
)

func TestBrowserPostAndModeratedComments(t *testing.T) {
	ctx := newBrowser(t)
	sys := startRealSystem(t)
	title := "Hello from Chromium"

	// Open the page, mark the window to prove later that it never reloaded,
	// and create a post with the keyboard alone.
	err := chromedp.Do(ctx,
		chromedp.Navigate(sys.gateway+"/"),
		chromedp.WaitVisible(chromedp.ID("post-title")),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := chromedp.Evaluate[bool](`window.notReloaded = true`)(ctx, tg)
			return err
		}),
		chromedp.SendKeys(chromedp.ID("post-title"), title+kb.Enter),
	)
	if err != nil {
		t.Fatalf("creating a post in the page: %v", err)
	}
	id := pollString(t, ctx, sprintf(jsCardID, title))

	// Comment twice, the second one to be rejected.
	input := chromedp.CSS("#comment-" + id)
	button := chromedp.CSS("#comment-" + id + " ~ button")
	for _, text := range []string{"nice", "I like orange juice"} {
		err := chromedp.Do(ctx,
			chromedp.WaitEnabled(button),
			chromedp.SendKeys(input, text+kb.Enter),
			chromedp.WaitEnabled(button),
		)
		if err != nil {
			t.Fatalf("adding the comment %q: %v", text, err)
		}
	}

	// Without a reload, the moderation shows up.
	want := `["nice","This comment has been rejected"]`
	for deadline := time.Now().Add(30 * time.Second); ; {
		texts, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](sprintf(jsComments, id)))
		if err != nil {
			t.Fatal(err)
		}
		got := jsonString(texts)
		if got == want {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the post's comments read %s, want %s", got, want)
		}
		time.Sleep(200 * time.Millisecond)
	}
	same, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.notReloaded === true`))
	if err != nil || !same {
		t.Errorf("the page reloaded (marker gone, err %v): it must update by itself", err)
	}
	screenshot(t, ctx, "client.png")
}

func TestBrowserShowsMarkupAsText(t *testing.T) {
	ctx := newBrowser(t)
	sys := startRealSystem(t)
	title := `<img src=x onerror=alert(1)>`

	// Any dialog is a script that ran: count it and close it.
	var dialogs atomic.Int32
	opening := chromedp.Events(ctx, page.JavascriptDialogOpening)
	go func() {
		for _, err := range opening {
			if err != nil {
				return
			}
			dialogs.Add(1)
			chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{})
		}
	}()

	// At phone width, create the post and an approved comment with markup.
	err := chromedp.Do(ctx,
		chromedp.EmulateViewport(390, 844),
		chromedp.Navigate(sys.gateway+"/"),
		chromedp.WaitVisible(chromedp.ID("post-title")),
		chromedp.SendKeys(chromedp.ID("post-title"), title),
		chromedp.Click(chromedp.CSS("#post-form button")),
	)
	if err != nil {
		t.Fatalf("creating a post in the page: %v", err)
	}
	id := pollString(t, ctx, sprintf(jsCardID, title))
	comment := `<script>alert(2)</script><b>bold</b>`
	err = chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS("#comment-"+id), comment+kb.Enter))
	if err != nil {
		t.Fatalf("adding a comment: %v", err)
	}
	pollString(t, ctx, sprintf(`%s.includes(%q) ? "yes" : ""`, sprintf(jsComments, id), comment))

	// Let a few polls pass, then check that nothing was parsed as markup.
	time.Sleep(1500 * time.Millisecond)
	injected, err := chromedp.Run(ctx, chromedp.Evaluate[int](
		`document.querySelectorAll("#posts img, #posts script, #posts b").length`))
	if err != nil {
		t.Fatal(err)
	}
	if injected != 0 {
		t.Errorf("the page holds %d elements made from user content, want 0", injected)
	}
	if n := dialogs.Load(); n != 0 {
		t.Errorf("%d dialogs opened: user content ran as script", n)
	}
	fits, err := chromedp.Run(ctx, chromedp.Evaluate[bool](
		`document.documentElement.scrollWidth <= window.innerWidth`))
	if err != nil || !fits {
		t.Errorf("the page is wider than a 390-pixel phone screen (err %v)", err)
	}
	screenshot(t, ctx, "client-phone.png")
}

// pollString evaluates expr until it returns a non-empty string.
func pollString(t *testing.T, ctx context.Context, expr string) string {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); ; {
		s, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr))
		if err != nil {
			t.Fatalf("evaluating in the page: %v", err)
		}
		if s != "" {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited 20s for %s", expr)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// screenshot saves the page in the test's temporary directory, and in
// $BLOGCTL_TEST_ARTIFACTS when set, and logs where.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("taking a screenshot: %v", err)
	}
	dirs := []string{t.TempDir()}
	if d := os.Getenv("BLOGCTL_TEST_ARTIFACTS"); d != "" {
		dirs = append(dirs, d)
	}
	for _, dir := range dirs {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot of the page: %s", path)
	}
}
