package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/move"
	"github.com/tandem-db/tandem/move/coord"
)

// errorLine matches a line that starts as an error line does: "tandem", the words of a command,
// then ": ".
var errorLine = regexp.MustCompile(`^tandem((?: [a-z][a-z-]*)*): `)

// prefixRuleBreaks returns the error lines of stderr that break the prefix rule, each with what
// is wrong.
func prefixRuleBreaks(stderr string) []string {
	var out []string
	for _, line := range strings.Split(stderr, "\n") {
		m := errorLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		command := strings.TrimPrefix(m[1], " ")
		first, _, _ := strings.Cut(command, " ")
		if command != "" && !slices.Contains(commandNames(), first) {
			continue // not an error line
		}
		if why := prefixRuleViolation(command, line); why != "" {
			out = append(out, line+": "+why)
		}
	}
	return out
}

func TestPrefixRuleViolation(t *testing.T) {
	for _, tc := range []struct {
		line string
		bad  bool
	}{
		{"tandem deploy: 1 problem; nothing was run:", false},
		{"tandem deploy: deploy: 1 problem; nothing was run:", true},
		{"tandem plan: plan: dependency cycle:", true},
		{"tandem status: environment prod: project: environment variable not set: SHOP_DB", true},
		{"tandem status: environment prod: environment variable not set: SHOP_DB; set it or edit the value", false},
		{"tandem clean: deploy: clean is not allowed in this environment", true},
		{"tandem: unknown command \"deploi\"", false},
		{"tandem: tandem: unknown command", true},
		{"tandem plan: app/table/x.sql:3: unknown directive", false},
		{"tandem rollback: write switches: sqlstore: lease", true},
		{"tandem move status: move: moves/other.yaml:1: not valid YAML", true},
		{"tandem move advance: move users: cannot enter verified: the backfill has not run", false},
		{"tandem move backfill: move users: copy into b: move: count rows of a", true},
	} {
		got := prefixRuleBreaks(tc.line)
		if bad := len(got) > 0; bad != tc.bad {
			t.Errorf("%q: breaks the rule %v (%q), want %v", tc.line, bad, got, tc.bad)
		}
	}
}

// TestErrorPrefixRule drives failing commands that need no database server and checks every
// error line against the prefix rule, and that each hint is a line of its own.
func TestErrorPrefixRule(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("cycle/tandem.yaml", "schemas: [app]\n")
	write("cycle/app/view/v1.sql", "create view v1 as select x from v2;\n")
	write("cycle/app/view/v2.sql", "create view v2 as select x from v1;\n")
	write("unread/deep/x/01_a.up.sql", "CREATE TABLE a (id int);\n")
	write("unread/deep/y/02_b.up.sql", "CREATE TABLE b (id int);\n")
	write("envvar/tandem.yaml", "environments:\n  prod:\n    url: ${TANDEM_HINTS_TEST_UNSET}\n")
	write("envvar/app/table/t.sql", "CREATE TABLE t (id int);\n")
	write("empty/README", "nothing here\n")
	write("moves/tandem.yaml", "schemas: [app]\n")
	write("moves/moves/broken.yaml", "from: {table: a\n")
	sqlite := "sqlite://" + filepath.Join(dir, "db.sqlite")
	for _, tc := range []struct {
		args     []string
		wantLine string // a line stderr must hold
	}{
		{[]string{"plan", "--project", filepath.Join(dir, "cycle"), "--url", sqlite}, "tandem plan: dependency cycle:"},
		{[]string{"deploy", "--project", filepath.Join(dir, "cycle"), "--url", sqlite}, "tandem deploy: dependency cycle:"},
		{[]string{"graph", "--project", filepath.Join(dir, "cycle"), "--explain", "nosuch"}, ""},
		{[]string{"plan", "--project", filepath.Join(dir, "unread"), "--url", sqlite}, "hint: give the folder of a project in one of these layouts (--project DIR)"},
		{[]string{"status", "--project", filepath.Join(dir, "envvar"), "--env", "prod"}, ""},
		{[]string{"plan", "--project", filepath.Join(dir, "empty"), "--url", sqlite}, ""},
		{[]string{"plan", "--project", filepath.Join(dir, "missing"), "--url", sqlite}, ""},
		{[]string{"clean", "--project", filepath.Join(dir, "envvar"), "--url", sqlite}, ""},
		{[]string{"deploi"}, ""},
		{[]string{"deploy", "--lock-wait", "soon"}, ""},
		{[]string{"rollback", "--project", filepath.Join(dir, "envvar"), "--url", sqlite}, ""},
		{[]string{"move", "status", "broken", "--project", filepath.Join(dir, "moves")}, ""},
		{[]string{"move", "check", "nosuch", "--project", filepath.Join(dir, "moves")}, ""},
	} {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), tc.args, &stdout, &stderr)
		if code == 0 {
			t.Errorf("%v: exit code 0, want a failure", tc.args)
			continue
		}
		if !errorLine.MatchString(stderr.String()) {
			t.Errorf("%v: stderr starts with no error line:\n%s", tc.args, stderr.String())
		}
		for _, bad := range prefixRuleBreaks(stderr.String()) {
			t.Errorf("%v: %s", tc.args, bad)
		}
		if tc.wantLine != "" && !slices.Contains(strings.Split(stderr.String(), "\n"), tc.wantLine) {
			t.Errorf("%v: no line %q in stderr:\n%s", tc.args, tc.wantLine, stderr.String())
		}
	}
}

// TestErrorHintJSON: with --json the error document carries the advice as "hint", apart from
// "error", and the codes as "hint_codes"; stderr has the hint line.
func TestErrorHintJSON(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"deep/x/01_a.up.sql", "deep/y/02_b.up.sql"} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("CREATE TABLE a (id int);\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var stdout, stderr bytes.Buffer
	run(context.Background(), []string{"plan", "--json", "--project", dir, "--url", "sqlite://" + filepath.Join(dir, "db")}, &stdout, &stderr)
	var doc struct {
		Error     string   `json:"error"`
		Hint      string   `json:"hint"`
		HintCodes []string `json:"hint_codes"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &doc); err != nil {
		t.Fatalf("stdout is not one JSON document: %v\n%s", err, stdout.String())
	}
	if want := "give the folder of a project in one of these layouts (--project DIR)"; doc.Hint != want {
		t.Errorf("hint %q, want %q", doc.Hint, want)
	}
	if strings.Contains(doc.Error, "--project") {
		t.Errorf("the error %q names a flag; the advice belongs in the hint", doc.Error)
	}
	if !slices.Equal(doc.HintCodes, []string{string(tandem.HintProjectFolder)}) {
		t.Errorf("hint_codes %q, want [%s]", doc.HintCodes, tandem.HintProjectFolder)
	}
}

// TestHintAdvice: every hint code has advice, and the library's hints name no flag.
func TestHintAdvice(t *testing.T) {
	for _, code := range []tandem.HintCode{tandem.HintLockWait, tandem.HintDeployAgain, tandem.HintRollbackAgain,
		tandem.HintRunAgain, tandem.HintOutOfOrder, tandem.HintRebaseline, tandem.HintProjectFolder,
		tandem.HintMoveAdvance, tandem.HintMoveBackfill, tandem.HintMoveRepair, tandem.HintMoveCheck, tandem.HintMoveStart,
		tandem.HintMoveRestore, tandem.HintMoveRestoreByHand, tandem.HintMoveHandover, tandem.HintMoveForceReason, tandem.HintMoveConfirm} {
		if _, ok := hintAdvice[code]; !ok {
			t.Errorf("hint code %s has no advice in hintAdvice", code)
		}
	}
	// A code the command line has no words of its own for is printed as its neutral text.
	if got := advice(tandem.Hint{Code: tandem.HintEditConfig, Text: "set type"}, "plan"); got != "set type" {
		t.Errorf("advice of an edit-config hint: %q", got)
	}
	lock := &tandem.LockError{Key: "tandem_deploy", Waited: "1s"}
	err := errors.Join(errors.New("other"), lock)
	lines, codes := errorHints(err, "deploy")
	if !slices.Equal(lines, []string{"wait for the deploy that holds the lock to finish, or raise --lock-wait"}) || !slices.Equal(codes, []string{"lock-wait"}) {
		t.Errorf("hints of a lock error: %q %q", lines, codes)
	}
	if strings.Contains(lock.Error(), "--") || strings.Contains(lock.Hint().Text, "--") {
		t.Errorf("the lock error names a flag: %q / %q", lock.Error(), lock.Hint().Text)
	}
}

// TestMoveHintAdvice: a move error's hint becomes a command line that names the move, through
// any wrapping; the library's message and hint name no flag and no command.
func TestMoveHintAdvice(t *testing.T) {
	gate := &coord.GateError{Move: "users", Phase: tandem.PhaseVerified, Gate: "the backfill has not run",
		Hint: tandem.Hint{Code: tandem.HintMoveBackfill, Text: "run the move's backfill"}}
	confirm := &move.Error{Move: "users", Err: errors.New("complete cannot be undone"),
		Hint: tandem.Hint{Code: tandem.HintMoveConfirm, Text: "confirm the step"}}
	stuck := &coord.StragglersError{Move: "users", Phase: tandem.PhaseBackfill}
	for _, tc := range []struct {
		err       error
		wantLine  string
		wantCode  tandem.HintCode
		wantErrIs error
	}{
		{fmt.Errorf("%w (passes it anyway)", gate), "run the move's backfill (tandem move backfill users)", tandem.HintMoveBackfill, coord.ErrGate},
		{confirm, "pass --confirm to enter complete", tandem.HintMoveConfirm, nil},
		{stuck, "fix or stop them, then run the same operation again (it waits again) (tandem move advance)", tandem.HintRunAgain, nil},
	} {
		lines, codes := errorHints(tc.err, "move advance")
		if !slices.Equal(lines, []string{tc.wantLine}) || !slices.Equal(codes, []string{string(tc.wantCode)}) {
			t.Errorf("hints of %q: %q %q, want %q %q", tc.err, lines, codes, tc.wantLine, tc.wantCode)
		}
		if tc.wantErrIs != nil && !errors.Is(tc.err, tc.wantErrIs) {
			t.Errorf("%q does not wrap %v", tc.err, tc.wantErrIs)
		}
		h, _ := tandem.HintOf(tc.err)
		for _, text := range []string{tc.err.Error(), h.Text} {
			if strings.Contains(text, "--") || strings.Contains(text, "tandem move") {
				t.Errorf("the library's words name a flag or command: %q", text)
			}
		}
	}
	if got := adviceAt(tandem.Hint{Code: tandem.HintMoveRepair, Text: "repair"}, hintContext{command: "move advance"}); got != "repair (tandem move repair NAME)" {
		t.Errorf("advice of a hint whose error names no move: %q", got)
	}
}
