package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/tandem-db/tandem/internal/ptytest"
	"github.com/tandem-db/tandem/move"
	"github.com/tandem-db/tandem/move/metrics"
)

// TestBackfillReporterTicks checks when log lines are written: the first report, then at most
// every interval, and at once when the backfill starts or stops waiting, and when it is done.
func TestBackfillReporterTicks(t *testing.T) {
	var buf bytes.Buffer
	clock := time.Unix(1e9, 0)
	r := &backfillReporter{move: "m", every: 2 * time.Second, metrics: &metrics.Exporter{}, log: slog.New(slog.NewJSONHandler(&buf, nil)),
		now: func() time.Time { return clock }}
	steps := []struct {
		after time.Duration
		p     move.Progress
	}{
		{0, move.Progress{Total: 100}}, // first: logged
		{time.Second, move.Progress{Scanned: 10, Copied: 10, Batches: 1, Total: 100}}, // too soon
		{1500 * time.Millisecond, move.Progress{Scanned: 20, Copied: 20, Batches: 2, Total: 100, Rate: 13.333, ETA: 6 * time.Second}},
		{100 * time.Millisecond, move.Progress{Scanned: 20, Copied: 20, Batches: 2, Total: 100, Throttled: "paused by the pause switch"}},
		{100 * time.Millisecond, move.Progress{Scanned: 20, Copied: 20, Batches: 2, Total: 100, Throttled: "paused by the pause switch"}}, // same reason, too soon
		{100 * time.Millisecond, move.Progress{Scanned: 30, Copied: 25, Batches: 3, Total: 100}},                                          // no longer waiting
		{100 * time.Millisecond, move.Progress{Scanned: 100, Copied: 95, Batches: 10, Total: 100, Done: true}},                            // done
	}
	for _, s := range steps {
		clock = clock.Add(s.after)
		r.report(s.p)
	}
	type line struct {
		Msg      string  `json:"msg"`
		Move     string  `json:"move"`
		Scanned  int64   `json:"scanned"`
		Total    int64   `json:"total"`
		Percent  float64 `json:"percent"`
		Copied   int64   `json:"copied"`
		Batches  int64   `json:"batches"`
		Rate     float64 `json:"rate"`
		ETA      float64 `json:"eta_s"`
		Throttle string  `json:"throttle"`
		Reason   string  `json:"reason"`
	}
	var got []line
	dec := json.NewDecoder(&buf)
	for {
		var l line
		if err := dec.Decode(&l); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		got = append(got, l)
	}
	want := []line{
		{Msg: "backfill progress", Move: "m", Total: 100},
		{Msg: "backfill progress", Move: "m", Scanned: 20, Total: 100, Percent: 20, Copied: 20, Batches: 2, Rate: 13.3, ETA: 6},
		{Msg: "backfill waiting", Move: "m", Scanned: 20, Total: 100, Percent: 20, Copied: 20, Batches: 2, Throttle: "pause", Reason: "paused by the pause switch"},
		{Msg: "backfill progress", Move: "m", Scanned: 30, Total: 100, Percent: 30, Copied: 25, Batches: 3},
		{Msg: "backfill done", Move: "m", Scanned: 100, Total: 100, Percent: 100, Copied: 95, Batches: 10},
	}
	if len(got) != len(want) {
		t.Fatalf("%d lines, want %d:\n%+v", len(got), len(want), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("line %d:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}
}

// TestBackfillOnTerminal runs tandem move backfill with stderr on a real pseudo-terminal: it
// draws a bar in place (no log lines), ends its line, and prints the result on stdout.
func TestBackfillOnTerminal(t *testing.T) {
	pty, tty, err := ptytest.Open(100)
	if errors.Is(err, ptytest.ErrUnsupported) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer pty.Close()
	defer tty.Close()

	dir := t.TempDir()
	files := map[string]string{
		"tandem.yaml":            "schemas: [app]\n",
		"app/table/users.sql":    "create table users (id bigint primary key, name varchar(100) not null);\n",
		"app/table/accounts.sql": "create table accounts (id bigint primary key, full_name varchar(100) not null);\n",
		"moves/users_to_accounts.yaml": "from: {table: users}\nto: {table: accounts}\nkey: [id]\n" +
			"mapping: {id: id, full_name: name}\nbatch: {size: 10}\n",
	}
	for name, text := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ctx := context.Background()
	tandem := func(stderr io.Writer, args ...string) string {
		t.Helper()
		var stdout, errs bytes.Buffer
		if stderr == nil {
			stderr = &errs
		}
		if code := run(ctx, append(args, "--project", dir), &stdout, stderr); code != 0 {
			t.Fatalf("tandem %s: exit %d\n%s%s", strings.Join(args, " "), code, stdout.String(), errs.String())
		}
		return stdout.String()
	}
	tandem(nil, "deploy")
	db, err := sql.Open("sqlite", filepath.Join(dir, ".tandem", "default.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 25) INSERT INTO users SELECT i, 'n' || i FROM s"); err != nil {
		t.Fatal(err)
	}
	tandem(nil, "move", "start", "users_to_accounts", "--grace", "0")
	tandem(nil, "move", "advance", "users_to_accounts", "--grace", "0")

	// Read the terminal while the command writes to it.
	shown := make(chan string, 1)
	go func() {
		var got []byte
		buf := make([]byte, 4096)
		pty.SetReadDeadline(time.Now().Add(30 * time.Second))
		for !bytes.HasSuffix(got, []byte("\r\n")) {
			n, err := pty.Read(buf)
			got = append(got, buf[:n]...)
			if err != nil {
				break
			}
		}
		shown <- string(got)
	}()
	out := tandem(tty, "move", "backfill", "users_to_accounts")
	if !strings.HasPrefix(out, "backfill users_to_accounts done: 25 rows scanned, 25 copied in ") {
		t.Errorf("stdout %q, want the result", out)
	}
	screen := <-shown
	if strings.Contains(screen, "level=") || strings.Contains(screen, "{") {
		t.Errorf("log lines on the terminal: %q", screen)
	}
	if !strings.HasPrefix(screen, "\rusers_to_accounts  [") || !strings.HasSuffix(screen, "\033[K\r\n") {
		t.Errorf("the terminal shows %q; want a bar redrawn in place, then a line break", screen)
	}
	// The last drawing is the finished state.
	last := screen[strings.LastIndex(strings.TrimSuffix(screen, "\033[K\r\n"), "\r")+1:]
	if !regexp.MustCompile(`^users_to_accounts  \[#{10,30}\]  100\.0%  25/25 rows  [\d,]+ rows/s  25 copied\x1b\[K\r\n$`).MatchString(last) {
		t.Errorf("the final drawing is %q; want a full bar, 100%%, 25/25 rows, the rate and 25 copied", last)
	}
	if n := utf8.RuneCountInString(strings.TrimSuffix(last, "\033[K\r\n")); n > 99 {
		t.Errorf("the final drawing is %d columns wide on a terminal of 100", n)
	}
}
