package client

import (
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

func TestHandler(t *testing.T) {
	srv := httptest.NewServer(Handler(slog.New(slog.DiscardHandler)))
	defer srv.Close()
	tests := []struct {
		path       string
		wantStatus int
		wantType   string
		wantIn     string
	}{
		{"/", 200, "text/html", `<script src="app.js" defer></script>`},
		{"/index.html", 301, "", ""},
		{"/app.js", 200, "text/javascript", `fetch("/posts"`},
		{"/style.css", 200, "text/css", "@media"},
		{"/healthz", 200, "application/json", `"ok"`},
		{"/readyz", 200, "application/json", `"ready"`},
		{"/nope.js", 404, "", ""},
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			resp, err := client.Get(srv.URL + tt.path)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("GET %s = %d, want %d", tt.path, resp.StatusCode, tt.wantStatus)
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, tt.wantType) {
				t.Errorf("GET %s Content-Type = %q, want %q", tt.path, ct, tt.wantType)
			}
			if !strings.Contains(string(b), tt.wantIn) {
				t.Errorf("GET %s body lacks %q", tt.path, tt.wantIn)
			}
		})
	}
}

func TestContentSecurityPolicy(t *testing.T) {
	rec := httptest.NewRecorder()
	Handler(slog.New(slog.DiscardHandler)).ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	csp := rec.Header().Get("Content-Security-Policy")
	if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("Content-Security-Policy = %q, want scripts from the page's origin only", csp)
	}
}

// TestPageRules checks the rules the page's code must keep: user content
// never parsed as markup, no inline scripts or handlers (the content policy
// forbids them), and relative URLs only.
func TestPageRules(t *testing.T) {
	forbidden := map[string]*regexp.Regexp{
		"innerHTML, outerHTML or insertAdjacentHTML": regexp.MustCompile(`innerHTML|outerHTML|insertAdjacentHTML`),
		"document.write":         regexp.MustCompile(`document\.write`),
		"eval or new Function":   regexp.MustCompile(`\beval\(|new Function\(`),
		"an absolute URL":        regexp.MustCompile(`(src|href)="(https?:)?//|fetch\(["'` + "`" + `]https?:`),
		"an inline handler":      regexp.MustCompile(`\son[a-z]+=`),
		"an inline script block": regexp.MustCompile(`<script>`),
	}
	err := fs.WalkDir(Assets(), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(Assets(), path)
		if err != nil {
			return err
		}
		for what, re := range forbidden {
			if loc := re.FindIndex(b); loc != nil {
				t.Errorf("%s uses %s: %q", path, what, b[loc[0]:loc[1]])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestPageLabelsEveryInput(t *testing.T) {
	b, err := fs.ReadFile(Assets(), "index.html")
	if err != nil {
		t.Fatal(err)
	}
	page := string(b)
	inputs := regexp.MustCompile(`<input id="([^"]+)"`).FindAllStringSubmatch(page, -1)
	if len(inputs) == 0 {
		t.Fatal("index.html has no input with an id")
	}
	for _, m := range inputs {
		if !strings.Contains(page, `<label for="`+m[1]+`"`) {
			t.Errorf("input %q has no <label for=%q>", m[1], m[1])
		}
	}
	if !strings.Contains(page, `name="viewport"`) {
		t.Error("index.html has no viewport meta tag: the page would not fit a phone")
	}
}
