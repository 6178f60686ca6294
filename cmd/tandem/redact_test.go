package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/tandem-db/tandem/internal/dburl"
	"github.com/tandem-db/tandem/internal/syncbuf"
	"github.com/tandem-db/tandem/internal/testdb"
)

// secret is the password of every URL below: distinctive, so that any output holding it, or
// a part of it, is found.
const secret = "s3cr3t-XYZ"

// leaks are the pieces of the secret that must not appear anywhere.
var leaks = []string{secret, "s3cr3t", "cr3t-X"}

// redactProject writes a project whose one environment takes its URL from $TANDEM_REDACT_URL,
// with two tables and moves between them whose store and second table come from the
// environment too. schemas maps the logical schema (MySQL: to the test's database).
func redactProject(t *testing.T, schemas string) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"tandem.yaml": "schemas: [app]\nenvironments:\n  fromenv:\n    url: ${TANDEM_REDACT_URL}\n" + schemas,
		"app/table/users.sql": "-- tandem:change create\ncreate table users (id bigint primary key, name varchar(100) not null);\n" +
			"-- tandem:rollback\ndrop table users;\n",
		"app/table/accounts.sql": "-- tandem:change create\ncreate table accounts (id bigint primary key, full_name varchar(100) not null);\n" +
			"-- tandem:rollback\ndrop table accounts;\n",
		"moves/m.yaml": "from: {schema: app, table: users}\nto: {schema: app, table: accounts}\nkey: [id]\n" +
			"mapping: {id: id, full_name: name}\nreverse: {id: id, name: full_name}\nstore: ${TANDEM_REDACT_STORE}\n",
		"moves/m_url.yaml": "from: {schema: app, table: users}\nto: {url: '${TANDEM_REDACT_TABLE_URL}', schema: app, table: accounts}\n" +
			"key: [id]\nmapping: {id: id, full_name: name}\n",
	}
	for name, body := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// runRedact runs one command line in this process and returns what it printed (stdout, then
// stderr) and its exit code.
func runRedact(args ...string) (string, int) {
	var stdout, stderr syncbuf.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	code := run(ctx, args, &stdout, &stderr)
	return "stdout:\n" + stdout.String() + "\nstderr:\n" + stderr.String(), code
}

// checkNoSecret fails the test when out holds the secret.
func checkNoSecret(t *testing.T, what, out string) {
	t.Helper()
	for _, l := range leaks {
		if strings.Contains(out, l) {
			t.Errorf("%s shows the password (%q):\n%s", what, l, out)
			return
		}
	}
}

// modes are the output modes every command line runs in.
var modes = [][]string{nil, {"-v"}, {"--json"}, {"--json", "-v"}}

// dbForm is a database URL holding the secret, and what a command given it does.
type dbForm struct {
	name string
	url  string
	ok   bool   // the server accepts it
	want string // when !ok: a piece of the error
}

// checkDBForms runs every command that takes a database URL with each form, given with --url
// and through tandem.yaml's url: ${VAR}, in each output mode, and checks that no output
// holds the secret and that each command did what the form says.
func checkDBForms(t *testing.T, dir string, forms []dbForm) {
	commands := [][]string{
		{"plan"}, {"status"}, {"deploy", "--tag", "v1"}, {"history"}, {"status", "--exit-code"},
		{"graph"}, {"rollback", "--to", "0"}, {"baseline"}, {"rebaseline"}, {"history"},
	}
	for _, f := range forms {
		t.Run(f.name, func(t *testing.T) {
			for _, how := range []string{"flag", "env"} {
				for _, mode := range modes {
					for _, cmd := range commands {
						args := append([]string{cmd[0], "--project", dir}, cmd[1:]...)
						if how == "flag" {
							t.Setenv("TANDEM_REDACT_URL", "")
							args = append(args, "--url", f.url)
						} else {
							t.Setenv("TANDEM_REDACT_URL", f.url)
						}
						args = append(args, mode...)
						out, code := runRedact(args...)
						line := strings.ReplaceAll(strings.Join(args, " "), secret, "SECRET")
						checkNoSecret(t, line, out)
						switch {
						case f.ok && code != exitOK && !(cmd[0] == "status" && code == exitPending):
							t.Errorf("%s: exit %d, want 0:\n%s", line, code, out)
						case !f.ok && cmd[0] != "graph" && (code != exitError || !strings.Contains(out, f.want)):
							t.Errorf("%s: exit %d, want 1 and %q:\n%s", line, code, f.want, out)
						}
					}
				}
			}
		})
	}
}

// checkTables fails when a row of any table in the database at url holds the secret: the
// deploy history (who ran what, where, and a failed run's error) and a move's audit log.
func checkTables(t *testing.T, url string) {
	t.Helper()
	u, err := dburl.Parse(url, "")
	if err != nil {
		t.Fatal(err)
	}
	db := testdb.Open(t, url)
	q := "SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
	if u.Dialect == dburl.MySQL {
		q = "SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema = DATABASE()"
	}
	rows, err := db.Query(q)
	if err != nil {
		t.Fatalf("list tables: %v", err)
	}
	var tables [][2]string
	for rows.Next() {
		var s, n string
		if err := rows.Scan(&s, &n); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, [2]string{s, n})
	}
	rows.Close()
	if len(tables) == 0 {
		t.Fatalf("no tables in %s: the commands wrote no history", u.Redacted)
	}
	seen := 0
	for _, tb := range tables {
		quote := func(s string) string { return `"` + s + `"` }
		if u.Dialect == dburl.MySQL {
			quote = func(s string) string { return "`" + s + "`" }
		}
		seen += checkRows(t, db, "SELECT * FROM "+quote(tb[0])+"."+quote(tb[1]))
	}
	if seen == 0 {
		t.Errorf("the tables of %s hold no rows: the commands wrote no history", u.Redacted)
	}
}

func checkRows(t *testing.T, db *sql.DB, query string) int {
	t.Helper()
	rows, err := db.Query(query)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	n := 0
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for i, v := range vals {
			if by, ok := v.([]byte); ok {
				v = string(by)
			}
			fmt.Fprintf(&b, "%s=%v ", cols[i], v)
		}
		checkNoSecret(t, query+" row", b.String())
		n++
	}
	return n
}

// withPort replaces the port of a URL's host.
func withPort(url, from, to string) string {
	if !strings.Contains(url, from) {
		panic(fmt.Sprintf("%s holds no %s", url, from))
	}
	return strings.Replace(url, from, to, 1)
}

// TestPostgresPasswordsNeverPrinted gives each form of a PostgreSQL password to every command,
// on a server that accepts it (trust authentication takes any password) and on one that is
// not there, and checks the output and the database.
func TestPostgresPasswordsNeverPrinted(t *testing.T) {
	pg := testdb.Postgres(t) // postgres://postgres@127.0.0.1:5432/NAME?sslmode=disable
	dir := redactProject(t, "")
	t.Setenv("TANDEM_REDACT_STORE", "sql")
	t.Setenv("TANDEM_REDACT_TABLE_URL", pg)
	userinfo := strings.Replace(pg, "postgres@", "postgres:"+secret+"@", 1)
	query := pg + "&password=" + secret
	db := strings.TrimPrefix(pg[strings.LastIndex(pg, "/"):], "/")
	db = db[:strings.IndexByte(db, '?')]
	checkDBForms(t, dir, []dbForm{
		{name: "query password", url: query, ok: true},
		// pgx reads parameter names as they are: the server refuses one it does not know.
		{name: "query password upper case", url: pg + "&PASSWORD=" + secret, want: `unrecognized configuration parameter "PASSWORD"`},
		{name: "userinfo password", url: userinfo, ok: true},
		{name: "sslpassword", url: pg + "&sslpassword=" + secret, ok: true},
		{name: "query password refused", url: withPort(query, ":5432/", ":1/"), want: "connection refused"},
		{name: "userinfo password refused", url: withPort(userinfo, ":5432/", ":1/"), want: "connection refused"},
		{name: "unknown user", url: strings.Replace(userinfo, "postgres:"+secret, "nosuchuser:"+secret, 1), want: `role "nosuchuser" does not exist`},
		{name: "key=value", url: "host=127.0.0.1 port=5432 user=postgres password=" + secret + " dbname=" + db + " sslmode=disable", want: "key=value connection string"},
		{name: "key=value quoted", url: "host=127.0.0.1 user=postgres password='" + secret + " two' dbname=" + db, want: "key=value connection string"},
		{name: "malformed: bad port", url: withPort(userinfo, ":5432/", ":54x/"), want: "not a valid URL"},
		{name: "malformed: slash in password", url: strings.Replace(pg, "postgres@", "postgres:"+secret+"/x@", 1), want: "tandem"},
	})
	checkTables(t, pg)

	// A server that quotes the password back: every output, and the failed run's row in
	// history, still hide it.
	t.Run("server error quoting the password", func(t *testing.T) {
		pg := testdb.Postgres(t)
		dir := t.TempDir()
		change := filepath.Join(dir, "app", "table", "t.sql")
		if err := os.MkdirAll(filepath.Dir(change), 0o755); err != nil {
			t.Fatal(err)
		}
		sql := "create table t (id int default cast('" + secret + "' as integer));\n"
		if err := os.WriteFile(change, []byte(sql), 0o644); err != nil {
			t.Fatal(err)
		}
		url := strings.Replace(pg, "postgres@", "postgres:"+secret+"@", 1)
		for _, mode := range modes {
			args := append([]string{"deploy", "--project", dir, "--url", url}, mode...)
			out, code := runRedact(args...)
			checkNoSecret(t, "deploy "+strings.Join(mode, " "), out)
			if code != exitError || !strings.Contains(out, "invalid input syntax for type integer") {
				t.Errorf("deploy %s: exit %d, want 1 and the server's error:\n%s", strings.Join(mode, " "), code, out)
			}
		}
		checkTables(t, pg)
	})

	t.Run("usage error", func(t *testing.T) {
		out, code := runRedact("status", "--project", dir, userinfo)
		checkNoSecret(t, "status with the URL as an argument", out)
		if code != exitUsage {
			t.Errorf("exit %d, want %d:\n%s", code, exitUsage, out)
		}
	})
}

// TestMySQLPasswordsNeverPrinted does the same on MariaDB/MySQL, with a user the test creates
// with the secret as its password.
func TestMySQLPasswordsNeverPrinted(t *testing.T) {
	my := testdb.MySQL(t) // mysql://root@127.0.0.1:3306/NAME
	name := my[strings.LastIndex(my, "/")+1:]
	admin := testdb.Open(t, my)
	var rnd [4]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		t.Fatal(err)
	}
	user := "tandem_redact_" + hex.EncodeToString(rnd[:])
	for _, stmt := range []string{
		"CREATE USER '" + user + "'@'%' IDENTIFIED BY '" + secret + "'",
		"GRANT ALL ON `" + name + "`.* TO '" + user + "'@'%'",
	} {
		if _, err := admin.Exec(stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	t.Cleanup(func() {
		if _, err := admin.Exec("DROP USER '" + user + "'@'%'"); err != nil {
			t.Errorf("drop user %s: %v", user, err)
		}
	})
	dir := redactProject(t, "    schemas: {app: "+name+"}\n")
	t.Setenv("TANDEM_REDACT_STORE", "sql")
	t.Setenv("TANDEM_REDACT_TABLE_URL", my)
	userinfo := strings.Replace(my, "root@", user+":"+secret+"@", 1)
	query := strings.Replace(my, "root@", user+"@", 1) + "?password=" + secret
	checkDBForms(t, dir, []dbForm{
		{name: "userinfo password", url: userinfo, ok: true},
		{name: "query password", url: query, ok: true},
		{name: "query password refused", url: withPort(query, ":3306/", ":1/"), want: "connection refused"},
		{name: "userinfo password refused", url: withPort(userinfo, ":3306/", ":1/"), want: "connection refused"},
		{name: "wrong password", url: strings.Replace(my, "root@", "root:"+secret+"@", 1), want: "Access denied"},
		{name: "go-sql-driver DSN", url: user + ":" + secret + "@tcp(127.0.0.1:3306)/" + name, want: "go-sql-driver DSN"},
		{name: "password twice", url: userinfo + "?password=" + secret, want: "the password is given twice"},
	})
	checkTables(t, my)
}

// redisServer skips the test without a Redis server (fails under CI=true) and returns its
// host:port.
func redisServer(t *testing.T) string {
	t.Helper()
	probeServers()
	if servers.redis != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but %v", servers.redis)
		}
		t.Skip(servers.redis)
	}
	opt, err := redis.ParseURL(redisURL())
	if err != nil {
		t.Fatal(err)
	}
	return opt.Addr
}

// TestMovePasswordsNeverPrinted drives a move through its commands with each form of a Redis
// store URL's password (a Redis user the test creates), with the database's password given in
// the query, and checks every output, the database and the store.
func TestMovePasswordsNeverPrinted(t *testing.T) {
	addr := redisServer(t)
	pg := testdb.Postgres(t)
	dir := redactProject(t, "")
	dbURL := pg + "&password=" + secret
	if out, code := runRedact("deploy", "--project", dir, "--url", dbURL); code != 0 {
		t.Fatalf("deploy: exit %d:\n%s", code, out)
	}
	if _, err := testdb.Open(t, pg).Exec("INSERT INTO app.users SELECT i, 'n' || i FROM generate_series(1, 30) i"); err != nil {
		t.Fatal(err)
	}

	var rnd [6]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		t.Fatal(err)
	}
	user := "tandemtest-" + hex.EncodeToString(rnd[:])
	rc, err := redisClient()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	ctx := context.Background()
	if err := rc.Do(ctx, "ACL", "SETUSER", user, "on", ">"+secret, "~"+user+"*", "&*", "+@all").Err(); err != nil {
		t.Fatalf("create a redis user: %v", err)
	}
	t.Cleanup(func() {
		rc.Do(ctx, "ACL", "DELUSER", user)
		iter := rc.Scan(ctx, 0, user+"*", 1000).Iterator()
		for iter.Next(ctx) {
			rc.Del(ctx, iter.Val())
		}
	})

	// Each store drives the move as far as it goes; the second round of modes finds it
	// further on, so only status must always succeed with a store that answers.
	subs := []string{"status", "check", "start", "status", "advance", "pause", "resume", "backfill", "verify", "tune", "rollback", "status"}
	// A store that does not answer makes each command wait for go-redis's retries.
	failing := []string{"status", "check", "start", "backfill", "rollback"}
	tests := []struct {
		name, store string
		ok          bool
	}{
		{"userinfo password", "redis://" + user + ":" + secret + "@" + addr + "/0?prefix=" + user + "-a", true},
		{"query password", "redis://" + user + "@" + addr + "/0?password=" + secret + "&prefix=" + user + "-b", true},
		// go-redis goes on when a server without passwords refuses AUTH.
		{"password alone", "redis://:" + secret + "@" + addr + "/0?prefix=" + user + "-c", true},
		{"wrong port", "redis://" + user + ":" + secret + "@127.0.0.1:1/0?max_retries=-1&prefix=" + user + "-d", false},
		{"rediss wrong port", "rediss://" + user + ":" + secret + "@127.0.0.1:1/0?max_retries=-1", false},
		{"query password, wrong port", "redis://127.0.0.1:1/0?password=" + secret + "&max_retries=-1", false},
		{"malformed: bad port", "redis://:" + secret + "@" + addr + "x/0", false},
		{"malformed: unknown option", "redis://" + user + ":" + secret + "@" + addr + "/0?nosuch=" + secret, false},
		{"password twice", "redis://" + user + ":" + secret + "@" + addr + "/0?password=" + secret, false},
		{"not a redis URL", "memcache://u:" + secret + "@" + addr, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("TANDEM_REDACT_STORE", tc.store)
			started := false
			run := subs
			if !tc.ok {
				run = failing
			}
			for _, mode := range modes {
				for _, sub := range run {
					args := append([]string{"move", sub, "m", "--project", dir, "--url", dbURL, "--grace", "0", "--ack-timeout", "2s"}, mode...)
					switch sub {
					case "tune":
						args = append(args, "--batch-size", "7")
					case "rollback":
						args = append(args, "--reason", "testing")
					}
					out, code := runRedact(args...)
					line := strings.ReplaceAll(strings.Join(args, " "), secret, "SECRET")
					checkNoSecret(t, line, out)
					switch {
					case sub == "start" && code == exitOK:
						started = true
					case sub == "status" && tc.ok && code != exitOK:
						t.Errorf("%s: exit %d, want 0:\n%s", line, code, out)
					case sub == "status" && !tc.ok && code != exitError:
						t.Errorf("%s: exit %d, want 1:\n%s", line, code, out)
					}
				}
			}
			if tc.ok && !started {
				t.Errorf("the move never started with store %s", dburl.Redact(tc.store))
			}
		})
	}

	// The second table's own URL, in each form.
	for _, u := range []string{
		pg + "&sslpassword=" + secret,
		strings.Replace(pg, "postgres@", "postgres:"+secret+"@", 1),
		withPort(pg+"&password="+secret, ":5432/", ":1/"),
		"host=127.0.0.1 password=" + secret,
	} {
		t.Setenv("TANDEM_REDACT_TABLE_URL", u)
		t.Setenv("TANDEM_REDACT_STORE", "sql")
		for _, mode := range modes {
			for _, sub := range []string{"check", "status"} {
				args := append([]string{"move", sub, "m_url", "--project", dir, "--url", dbURL}, mode...)
				out, _ := runRedact(args...)
				checkNoSecret(t, strings.ReplaceAll(strings.Join(args, " "), secret, "SECRET"), out)
			}
		}
	}

	checkTables(t, pg)
	iter := rc.Scan(ctx, 0, user+"*", 1000).Iterator()
	keys := 0
	for iter.Next(ctx) {
		key := iter.Val()
		keys++
		v, err := redisValue(ctx, rc, key)
		if err != nil {
			t.Fatal(err)
		}
		checkNoSecret(t, "redis key "+key, v)
	}
	if keys == 0 {
		t.Errorf("no keys under %s*: the moves wrote nothing to the store", user)
	}
}

// redisValue reads a key of any type as text.
func redisValue(ctx context.Context, rc *redis.Client, key string) (string, error) {
	typ, err := rc.Type(ctx, key).Result()
	if err != nil {
		return "", err
	}
	var v any
	switch typ {
	case "string":
		v, err = rc.Get(ctx, key).Result()
	case "hash":
		v, err = rc.HGetAll(ctx, key).Result()
	case "list":
		v, err = rc.LRange(ctx, key, 0, -1).Result()
	case "set":
		v, err = rc.SMembers(ctx, key).Result()
	case "zset":
		v, err = rc.ZRangeWithScores(ctx, key, 0, -1).Result()
	case "stream":
		v, err = rc.XRange(ctx, key, "-", "+").Result()
	default:
		return "", fmt.Errorf("redis key %s: type %s", key, typ)
	}
	return fmt.Sprint(v), err
}
