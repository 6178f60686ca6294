package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/move"
	"github.com/tandem-db/tandem/move/coord"
)

// TestServiceFollowsMove runs the service on a fresh SQLite file and walks its move through
// dual-write, backfill, verified, read-b and write-b with a coordinator of its own (as tandem
// move would, from another process), writing through the HTTP API between the phases. Reads
// must always return the latest write, from A until read-b and from B after; rolling back from
// write-b must copy the rows written to B alone back to A.
func TestServiceFollowsMove(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "service.db")
	h, cleanup, err := run(ctx, options{DB: path, Instance: "service-test", PollEvery: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	srv := httptest.NewServer(h)
	defer srv.Close()
	api := &apiClient{t: t, base: srv.URL}

	co, db := coordinator(t, path)
	m := co.Move
	advance := func(want tandem.Phase) {
		t.Helper()
		advanceTo(t, co, want)
		// Advance returned after the service acknowledged: its switches are the new ones.
		api.switches(want)
	}

	api.switches(tandem.PhasePending)
	api.put(1, "Ann", "ann@example.com", "A")
	api.put(2, "Bob", "bob@example.com", "A")
	api.put(3, "Cy", "cy@example.com", "A")
	api.del(3)
	api.getMissing(3)

	advance(tandem.PhaseDualWrite)
	api.put(4, "Di", "di@example.com", "A") // mirrored to B in the same transaction
	api.put(1, "Ann Lee", "ann.lee@example.com", "A")

	advance(tandem.PhaseBackfill)
	if err := co.Backfill(ctx, nil); err != nil {
		t.Fatalf("backfill: %v", err)
	}
	api.put(5, "Ed", "ed@example.com", "A")

	advance(tandem.PhaseVerified)
	api.get(2, user{ID: 2, Name: "Bob", Email: "bob@example.com", Source: "A"})

	advance(tandem.PhaseReadB)
	for _, u := range []user{
		{ID: 1, Name: "Ann Lee", Email: "ann.lee@example.com"},
		{ID: 2, Name: "Bob", Email: "bob@example.com"},
		{ID: 4, Name: "Di", Email: "di@example.com"},
		{ID: 5, Name: "Ed", Email: "ed@example.com"},
	} {
		u.Source = "B"
		api.get(u.ID, u)
	}
	api.getMissing(3)
	api.put(2, "Bob Stone", "bob.stone@example.com", "B")

	advance(tandem.PhaseWriteB)
	api.put(6, "Flo", "flo@example.com", "B") // B alone: logged for a rollback
	api.put(4, "Di Park", "di.park@example.com", "B")
	api.del(5)
	api.getMissing(5)

	st, err := co.Rollback(ctx, "test the reverse window")
	if err != nil {
		t.Fatalf("rollback from write-b: %v", err)
	}
	if st.Phase != tandem.PhaseReadB {
		t.Fatalf("rolled back to %s, want read-b", st.Phase)
	}
	api.switches(tandem.PhaseReadB)
	api.get(6, user{ID: 6, Name: "Flo", Email: "flo@example.com", Source: "B"})

	// The rows written to B alone are in A again, through the reverse mapping.
	rows, err := db.QueryContext(ctx, "SELECT id, name, email FROM users ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var inA []user
	for rows.Next() {
		var u user
		if err := rows.Scan(&u.ID, &u.Name, &u.Email); err != nil {
			t.Fatal(err)
		}
		inA = append(inA, u)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	wantA := []user{
		{ID: 1, Name: "Ann Lee", Email: "ann.lee@example.com"},
		{ID: 2, Name: "Bob Stone", Email: "bob.stone@example.com"},
		{ID: 4, Name: "Di Park", Email: "di.park@example.com"},
		{ID: 6, Name: "Flo", Email: "flo@example.com"},
	}
	if diff := cmp.Diff(wantA, inA); diff != "" {
		t.Errorf("users (A) after the rollback (-want +got):\n%s", diff)
	}
	rep, err := m.Verify(ctx, move.VerifyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		t.Errorf("after the rollback, B differs from mapping(A):\n%s", rep)
	}
}

// coordinator returns the coordinator's side of the service's move, on its own connections to
// the database file, as tandem move would run it from another process.
func coordinator(t *testing.T, path string) (*coord.Driver, *sql.DB) {
	t.Helper()
	db, err := openSQLite(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	om, err := openMove(context.Background(), db, 0)
	if err != nil {
		t.Fatal(err)
	}
	co := om.Coord
	co.Grace, co.AckTimeout, co.By = -1, 5*time.Second, "test"
	return co, db
}

// advanceTo moves to the next phase, which must be want.
func advanceTo(t *testing.T, co *coord.Driver, want tandem.Phase) {
	t.Helper()
	st, err := co.Advance(context.Background(), coord.AdvanceOptions{})
	if err != nil {
		t.Fatalf("advance to %s: %v", want, err)
	}
	if st.Phase != want {
		t.Fatalf("advanced to %s, want %s", st.Phase, want)
	}
}

// TestServiceShadowReads runs the service with every read shadowed: once the move writes both
// tables, reads are compared with B, and a row changed in B behind the service's back shows on
// GET /status as a mismatch with its key and column, while the read itself still answers from A.
func TestServiceShadowReads(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "service.db")
	h, cleanup, err := run(ctx, options{DB: path, Instance: "service-test", PollEvery: 20 * time.Millisecond, ShadowRate: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	srv := httptest.NewServer(h)
	defer srv.Close()
	api := &apiClient{t: t, base: srv.URL}
	co, db := coordinator(t, path)

	api.put(1, "Ann", "Ann@Example.com", "A")
	api.put(2, "Bob", "bob@example.com", "A")
	if got := api.status().Shadow; got.Sampled != 2 || got.Skipped != 2 || got.Compared != 0 {
		t.Fatalf("in pending the reads must be sampled and skipped: %+v", got)
	}
	advanceTo(t, co, tandem.PhaseDualWrite)
	advanceTo(t, co, tandem.PhaseBackfill)
	if err := co.Backfill(ctx, nil); err != nil {
		t.Fatalf("backfill: %v", err)
	}
	advanceTo(t, co, tandem.PhaseVerified)
	api.get(1, user{ID: 1, Name: "Ann", Email: "Ann@Example.com", Source: "A"})
	api.get(2, user{ID: 2, Name: "Bob", Email: "bob@example.com", Source: "A"})
	api.getMissing(3)
	got := api.waitStatus(func(v shadowView) bool { return v.Compared == 3 })
	if got.Matches != 2 || got.Absent != 1 || got.Differences != 0 {
		t.Fatalf("after three good reads: %+v", got)
	}

	if _, err := db.ExecContext(ctx, "UPDATE accounts SET full_name = 'Robert' WHERE id = 2"); err != nil {
		t.Fatal(err)
	}
	api.get(2, user{ID: 2, Name: "Bob", Email: "bob@example.com", Source: "A"})
	got = api.waitStatus(func(v shadowView) bool { return v.Compared == 4 })
	if got.Mismatches != 1 || got.Differences != 1 || len(got.Recent) != 1 {
		t.Fatalf("after a read of a row changed in B: %+v", got)
	}
	f := got.Recent[0]
	if f.Key != "(2)" || f.Kind != string(move.Different) || !cmp.Equal(f.Columns, []string{"full_name"}) || f.Phase != string(tandem.PhaseVerified) {
		t.Errorf("GET /status names %+v, want key (2), column full_name, in verified", f)
	}
}

// TestServiceRejectsBadRequests checks the answers to requests the service cannot act on.
func TestServiceRejectsBadRequests(t *testing.T) {
	h, cleanup, err := run(context.Background(), options{DB: filepath.Join(t.TempDir(), "service.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	tests := []struct {
		name, method, target, body, contentType string
		want                                    int
	}{
		{"id not a number", "GET", "/users/x", "", "", http.StatusBadRequest},
		{"unknown user", "GET", "/users/9", "", "", http.StatusNotFound},
		{"no email", "PUT", "/users/1", "name=Ann", "application/x-www-form-urlencoded", http.StatusBadRequest},
		{"bad JSON", "PUT", "/users/1", "{", "application/json", http.StatusBadRequest},
		{"JSON", "PUT", "/users/1", `{"name":"Ann","email":"ann@example.com"}`, "application/json", http.StatusOK},
		{"wrong method", "POST", "/users/1", "", "", http.StatusMethodNotAllowed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(tc.method, tc.target, strings.NewReader(tc.body))
			if tc.contentType != "" {
				req.Header.Set("Content-Type", tc.contentType)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tc.want {
				t.Errorf("%s %s: status %d, want %d; body %s", tc.method, tc.target, rec.Code, tc.want, rec.Body)
			}
		})
	}
}

// apiClient calls the service over HTTP and checks its answers.
type apiClient struct {
	t    *testing.T
	base string
}

func (c *apiClient) do(method, target string, form url.Values) (*http.Response, []byte) {
	c.t.Helper()
	req, err := http.NewRequest(method, c.base+target, strings.NewReader(form.Encode()))
	if err != nil {
		c.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return resp, body
}

// put writes a user and checks that the answer is the row as written, read from source.
func (c *apiClient) put(id int64, name, email, source string) {
	c.t.Helper()
	resp, body := c.do("PUT", "/users/"+itoa(id), url.Values{"name": {name}, "email": {email}})
	c.check(resp, body, http.StatusOK, user{ID: id, Name: name, Email: email, Source: source})
}

func (c *apiClient) get(id int64, want user) {
	c.t.Helper()
	resp, body := c.do("GET", "/users/"+itoa(id), nil)
	c.check(resp, body, http.StatusOK, want)
}

func (c *apiClient) getMissing(id int64) {
	c.t.Helper()
	resp, body := c.do("GET", "/users/"+itoa(id), nil)
	if resp.StatusCode != http.StatusNotFound {
		c.t.Fatalf("GET /users/%d: status %d, want 404; body %s", id, resp.StatusCode, body)
	}
}

func (c *apiClient) del(id int64) {
	c.t.Helper()
	resp, body := c.do("DELETE", "/users/"+itoa(id), nil)
	if resp.StatusCode != http.StatusNoContent {
		c.t.Fatalf("DELETE /users/%d: status %d, want 204; body %s", id, resp.StatusCode, body)
	}
}

func (c *apiClient) check(resp *http.Response, body []byte, status int, want user) {
	c.t.Helper()
	if resp.StatusCode != status {
		c.t.Fatalf("%s %s: status %d, want %d; body %s", resp.Request.Method, resp.Request.URL.Path, resp.StatusCode, status, body)
	}
	var got user
	if err := json.Unmarshal(body, &got); err != nil {
		c.t.Fatalf("%s %s: %v; body %s", resp.Request.Method, resp.Request.URL.Path, err, body)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		c.t.Fatalf("%s %s (-want +got):\n%s", resp.Request.Method, resp.Request.URL.Path, diff)
	}
}

// switches checks the phase and switches the service reports.
func (c *apiClient) switches(want tandem.Phase) {
	c.t.Helper()
	resp, body := c.do("GET", "/switches", nil)
	if resp.StatusCode != http.StatusOK {
		c.t.Fatalf("GET /switches: status %d; body %s", resp.StatusCode, body)
	}
	var got switchesView
	if err := json.Unmarshal(body, &got); err != nil {
		c.t.Fatal(err)
	}
	sw := want.Switches()
	wantView := switchesView{Move: moveName, Phase: string(want), Switches: sw.String(),
		ReadA: sw.ReadA, WriteA: sw.WriteA, ReadB: sw.ReadB, WriteB: sw.WriteB,
		Version: got.Version, Epoch: got.Epoch, Instance: "service-test"}
	if diff := cmp.Diff(wantView, got); diff != "" {
		c.t.Fatalf("GET /switches (-want +got):\n%s", diff)
	}
}

// status returns GET /status.
func (c *apiClient) status() statusView {
	c.t.Helper()
	resp, body := c.do("GET", "/status", nil)
	if resp.StatusCode != http.StatusOK {
		c.t.Fatalf("GET /status: status %d; body %s", resp.StatusCode, body)
	}
	var v statusView
	if err := json.Unmarshal(body, &v); err != nil {
		c.t.Fatalf("GET /status: %v; body %s", err, body)
	}
	return v
}

// waitStatus polls GET /status until cond holds of its shadow counts (the comparisons run after
// the reads have answered), and returns them.
func (c *apiClient) waitStatus(cond func(shadowView) bool) shadowView {
	c.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		v := c.status().Shadow
		if cond(v) {
			return v
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("GET /status: shadow counts did not settle: %+v", v)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
