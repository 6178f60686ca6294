package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/tandem-db/tandem/internal/dburl"
	"github.com/tandem-db/tandem/internal/testdb"
)

// TestMain lets the test binary double as the tandem command: testscript copies it into $PATH
// under the name "tandem", and a script's "tandem ..." line runs run() in a child process, with
// real exit codes, stdout and stderr.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"tandem": func() { os.Exit(runInterruptible(os.Args[1:], os.Stdout, os.Stderr)) },
	})
}

// TestScripts runs the end-to-end scripts in testdata/script. Each script gets a fresh
// PostgreSQL database in $PGURL and a fresh MariaDB database in $MYURL when those servers
// answer, and the Redis server's host:port in $REDISADDR with a key prefix of its own in $REDISPREFIX
// (its keys are deleted when it ends); the conditions [postgres], [mysql] and [redis] say
// whether they do. $FREEADDR is a local address free when the script starts. Under CI=true a
// script that asks for a missing server fails instead of skipping.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: false,
		Setup:               setupScript,
		Condition:           scriptCondition,
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exits":     cmdExits,
			"expand":    cmdExpand,
			"httpget":   cmdHTTPGet,
			"json":      cmdJSON,
			"lines":     cmdLines,
			"passwd":    cmdPasswd,
			"redis":     cmdRedis,
			"samesteps": cmdSameSteps,
			"sql":       cmdSQL,
			"waitsql":   cmdWaitSQL,
		},
	})
}

// servers caches whether each database server answers, so that a run of many scripts probes
// each server once.
var servers struct {
	once     sync.Once
	postgres error
	mysql    error
	redis    error
}

func probeServers() {
	servers.once.Do(func() {
		servers.postgres = ping("TANDEM_TEST_POSTGRES", testdb.DefaultPostgres)
		servers.mysql = ping("TANDEM_TEST_MYSQL", testdb.DefaultMySQL)
		servers.redis = pingRedis()
	})
}

// ping reports whether the server named by the environment variable env (or def) answers.
func ping(env, def string) error {
	raw := os.Getenv(env)
	if raw == "" {
		raw = def
	}
	u, err := dburl.Parse(raw, "")
	if err != nil {
		return fmt.Errorf("$%s: %w", env, err)
	}
	db, err := sql.Open(u.Driver, u.DSN)
	if err != nil {
		return fmt.Errorf("%s: %w", u.Redacted, err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		return fmt.Errorf("%s server %s unreachable (set $%s): %w", u.Dialect, u.Redacted, env, err)
	}
	return nil
}

func setupScript(env *testscript.Env) error {
	probeServers()
	tb, ok := env.T().(testing.TB)
	if !ok {
		return fmt.Errorf("testscript handed a %T, not a testing.TB", env.T())
	}
	if servers.postgres == nil {
		env.Setenv("PGURL", testdb.Postgres(tb))
	}
	if servers.mysql == nil {
		// A MySQL schema is a database: scripts map their logical schema to $MYDB so that
		// their tables stay inside the script's own database.
		u := testdb.MySQL(tb)
		env.Setenv("MYURL", u)
		env.Setenv("MYDB", u[strings.LastIndex(u, "/")+1:])
	}
	if servers.redis == nil {
		if err := setupRedis(env); err != nil {
			return err
		}
	}
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	env.Setenv("FREEADDR", addr)
	return nil
}

// scriptCondition adds [postgres], [mysql] and [redis]: true when the server answers. Under CI=true a
// missing server is an error, which fails the script that asked.
func scriptCondition(cond string) (bool, error) {
	var err error
	switch cond {
	case "postgres":
		probeServers()
		err = servers.postgres
	case "mysql":
		probeServers()
		err = servers.mysql
	case "redis":
		probeServers()
		err = servers.redis
	default:
		return false, fmt.Errorf("unknown condition %q", cond)
	}
	if err != nil && os.Getenv("CI") == "true" {
		return false, fmt.Errorf("CI=true but %v", err)
	}
	return err == nil, nil
}

// cmdExits runs a program and checks its exit code, which "exec" and "! exec" cannot tell
// apart beyond zero and non-zero:
//
//	exits N PROGRAM [ARGS...]
//
// stdout and stderr are then those of the program, as after exec.
func cmdExits(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exits N PROGRAM [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exits: %q is not a number", args[0])
	}
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("exits: run %s: %v", args[1], err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("%s exited with %d, want %d", args[1], got, want)
	}
	if args[1] == "tandem" {
		for _, bad := range prefixRuleBreaks(ts.ReadFile("stderr")) {
			ts.Fatalf("the error line breaks the prefix rule (hints.go): %s", bad)
		}
	}
}

// cmdExpand writes a copy of a file with $VAR and ${VAR} replaced by the script's variables,
// for files that must hold values known only when the script runs (a database name):
//
//	expand IN OUT
func cmdExpand(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: expand IN OUT")
	}
	out := os.Expand(ts.ReadFile(args[0]), ts.Getenv)
	if err := os.WriteFile(ts.MkAbs(args[1]), []byte(out), 0o644); err != nil {
		ts.Fatalf("expand: %v", err)
	}
}

// cmdJSON checks a JSON document that a command printed:
//
//	json FILE                 FILE holds exactly one valid JSON document
//	json FILE PATH WANT       the value at PATH is WANT
//
// PATH is dot-separated: object keys, array indices, and a final "#" for the length of an
// array or object ("steps.0.action", "steps.#"). A string value is compared as it is; any other
// value is compared as compact JSON ("true", "3", "null", "[]").
func cmdJSON(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 && len(args) != 3 {
		ts.Fatalf("usage: json FILE [PATH WANT]")
	}
	data := ts.ReadFile(args[0])
	dec := json.NewDecoder(strings.NewReader(data))
	dec.UseNumber()
	var doc any
	err := dec.Decode(&doc)
	if err == nil && dec.More() {
		err = fmt.Errorf("more than one JSON document")
	}
	if len(args) == 1 {
		switch {
		case neg && err == nil:
			ts.Fatalf("%s is valid JSON", args[0])
		case !neg && err != nil:
			ts.Fatalf("%s is not valid JSON: %v", args[0], err)
		}
		return
	}
	if err != nil {
		ts.Fatalf("%s is not valid JSON: %v", args[0], err)
	}
	got, err := jsonAt(doc, args[1])
	if err != nil {
		if neg {
			return
		}
		ts.Fatalf("%s: %v", args[0], err)
	}
	if (got == args[2]) == neg {
		if neg {
			ts.Fatalf("%s: %s is %s", args[0], args[1], got)
		}
		ts.Fatalf("%s: %s is %s, want %s", args[0], args[1], got, args[2])
	}
}

func jsonAt(v any, path string) (string, error) {
	for _, p := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			if p == "#" {
				v = json.Number(strconv.Itoa(len(x)))
				continue
			}
			next, ok := x[p]
			if !ok {
				return "", fmt.Errorf("no key %q at %s", p, path)
			}
			v = next
		case []any:
			if p == "#" {
				v = json.Number(strconv.Itoa(len(x)))
				continue
			}
			i, err := strconv.Atoi(p)
			if err != nil || i < 0 || i >= len(x) {
				return "", fmt.Errorf("no index %q in an array of %d at %s", p, len(x), path)
			}
			v = x[i]
		default:
			return "", fmt.Errorf("%q at %s: not an object or array", p, path)
		}
	}
	if s, ok := v.(string); ok {
		return s, nil
	}
	b, err := json.Marshal(v)
	return string(b), err
}

// cmdLines checks how many lines of FILE match a regular expression:
//
//	lines FILE N [REGEXP]
//
// Without REGEXP every line counts. It makes "exactly these lines and no others" assertions
// possible where the text also holds lines with timestamps.
func cmdLines(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 || len(args) > 3 {
		ts.Fatalf("usage: lines FILE N [REGEXP]")
	}
	want, err := strconv.Atoi(args[1])
	if err != nil {
		ts.Fatalf("lines: %q is not a number", args[1])
	}
	text := ts.ReadFile(args[0])
	var re *regexp.Regexp
	if len(args) == 3 {
		if re, err = regexp.Compile(args[2]); err != nil {
			ts.Fatalf("lines: %v", err)
		}
	}
	n := 0
	for _, ln := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		if text == "" {
			break
		}
		if re == nil || re.MatchString(ln) {
			n++
		}
	}
	if (n == want) == neg {
		ts.Fatalf("%s: %d matching lines, want %s%d", args[0], n, map[bool]string{true: "not ", false: ""}[neg], want)
	}
}

// openScriptDB opens the database a script command names; a relative sqlite:// path is taken
// from the script's working directory.
func openScriptDB(ts *testscript.TestScript, cmd, url string) *sql.DB {
	u, err := dburl.Parse(url, ts.Getenv("WORK"))
	if err != nil {
		ts.Fatalf("%s: %v", cmd, err)
	}
	db, err := sql.Open(u.Driver, u.DSN)
	if err != nil {
		ts.Fatalf("%s: %v", cmd, err)
	}
	return db
}

// cmdSQL runs statements against a database, or checks what a query returns:
//
//	sql URL STATEMENT             run STATEMENT
//	sql URL QUERY WANT            the rows of QUERY, columns joined by "|" and rows by ";", are WANT
//
// A relative sqlite:// path is taken from the script's working directory.
func cmdSQL(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 || len(args) > 3 {
		ts.Fatalf("usage: sql URL STATEMENT | sql URL QUERY WANT")
	}
	db := openScriptDB(ts, "sql", args[0])
	defer db.Close()
	if len(args) == 2 {
		if _, err := db.Exec(args[1]); err != nil {
			ts.Fatalf("sql: %s: %v", args[1], err)
		}
		return
	}
	rows, err := db.Query(args[1])
	if err != nil {
		ts.Fatalf("sql: %s: %v", args[1], err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		ts.Fatalf("sql: %v", err)
	}
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			ts.Fatalf("sql: %v", err)
		}
		parts := make([]string, len(vals))
		for i, v := range vals {
			if b, ok := v.([]byte); ok {
				v = string(b)
			}
			parts[i] = fmt.Sprint(v)
		}
		out = append(out, strings.Join(parts, "|"))
	}
	if err := rows.Err(); err != nil {
		ts.Fatalf("sql: %v", err)
	}
	if got := strings.Join(out, ";"); got != args[2] {
		ts.Fatalf("sql: %s returned %q, want %q", args[1], got, args[2])
	}
}
