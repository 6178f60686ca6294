// Package bench compares tandem with pressly/goose on one job: applying a folder of numbered
// goose migrations to an empty PostgreSQL database.
//
// It is its own module, so that goose and its dependencies never enter tandem's go.mod. The
// benchmarks (go test -bench . in this folder) and the compare program (go run ./cmd/compare)
// share the code here: Generate writes the migrations, Fresh makes an empty database, and
// Tandem, TandemCLI and Goose each apply the folder once.
package bench

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/deploy"
	"github.com/tandem-db/tandem/dialect/postgres"
	"github.com/tandem-db/tandem/project"
)

// DefaultServer is the PostgreSQL server used when $TANDEM_TEST_POSTGRES is not set.
const DefaultServer = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// Server returns the admin URL of the PostgreSQL server to benchmark on.
func Server() string {
	if s := os.Getenv("TANDEM_TEST_POSTGRES"); s != "" {
		return s
	}
	return DefaultServer
}

// Generate writes n numbered goose migrations (00001_create_t0001.sql, ...) into dir. They
// cycle through what a real project's history holds: create a table, add a column, create an
// index, insert a few rows; every migration has an Up and a Down section.
func Generate(dir string, n int) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	for i := 1; i <= n; i++ {
		t := fmt.Sprintf("t%04d", (i+3)/4)
		var name, up, down string
		switch i % 4 {
		case 1:
			name = "create_" + t
			up = fmt.Sprintf("CREATE TABLE %s (\n    id bigserial PRIMARY KEY,\n    name text NOT NULL,\n    created_at timestamptz NOT NULL DEFAULT now()\n);", t)
			down = "DROP TABLE " + t + ";"
		case 2:
			name = "add_score_to_" + t
			up = fmt.Sprintf("ALTER TABLE %s ADD COLUMN score integer NOT NULL DEFAULT 0;", t)
			down = fmt.Sprintf("ALTER TABLE %s DROP COLUMN score;", t)
		case 3:
			name = "index_" + t + "_name"
			up = fmt.Sprintf("CREATE INDEX %s_name_idx ON %s (name);", t, t)
			down = fmt.Sprintf("DROP INDEX %s_name_idx;", t)
		case 0:
			name = "seed_" + t
			up = fmt.Sprintf("INSERT INTO %s (name, score) VALUES ('alpha', 1), ('bravo', 2), ('charlie', 3);", t)
			down = fmt.Sprintf("DELETE FROM %s WHERE name IN ('alpha', 'bravo', 'charlie');", t)
		}
		text := "-- +goose Up\n" + up + "\n\n-- +goose Down\n" + down + "\n"
		path := filepath.Join(dir, fmt.Sprintf("%05d_%s.sql", i, name))
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			return fmt.Errorf("bench: %w", err)
		}
	}
	return nil
}

// Fresh creates an empty database on the server and returns its URL and a function that drops
// it.
func Fresh(ctx context.Context, server string) (string, func() error, error) {
	var rnd [4]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return "", nil, err
	}
	name := "tandem_bench_" + hex.EncodeToString(rnd[:])
	admin, err := sql.Open("pgx", server)
	if err != nil {
		return "", nil, fmt.Errorf("bench: open %s: %w", server, err)
	}
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close()
		return "", nil, fmt.Errorf("bench: create database: %w", err)
	}
	u, err := url.Parse(server)
	if err != nil {
		admin.Close()
		return "", nil, fmt.Errorf("bench: %w", err)
	}
	u.Path = "/" + name
	drop := func() error {
		defer admin.Close()
		_, err := admin.ExecContext(context.WithoutCancel(ctx), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		return err
	}
	return u.String(), drop, nil
}

// Tandem applies the migrations in dir to the database at dbURL through the library: it loads
// the folder as a project and deploys it with a deploy.Engine. It returns how many changes ran.
func Tandem(ctx context.Context, dir, dbURL string) (int, error) {
	p, err := project.Load(os.DirFS(dir), project.Options{})
	if err != nil {
		return 0, err
	}
	db, err := sql.Open(driverName, dbURL)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	env := &tandem.Environment{Name: "default"}
	if len(p.Config.Environments) > 0 {
		env = &p.Config.Environments[0]
	}
	e := &deploy.Engine{DB: db, Dialect: postgres.New(), Env: env, Tool: "tandem bench"}
	res, err := e.Deploy(ctx, p, deploy.Options{})
	if err != nil {
		return 0, err
	}
	return len(res.Steps), nil
}

// TandemCLI applies the migrations through the tandem binary at bin, as a user would:
// "tandem deploy --project dir --url dbURL".
func TandemCLI(ctx context.Context, bin, dir, dbURL string) error {
	cmd := exec.CommandContext(ctx, bin, "deploy", "--project", dir, "--url", dbURL)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("bench: tandem deploy: %w\n%s", err, out)
	}
	return nil
}

// Goose applies the migrations with goose's library: a Provider over the folder, with
// goose's PostgreSQL session lock (tandem always takes its deploy lock), each migration in its
// own transaction as goose does by default. It returns how many migrations ran.
func Goose(ctx context.Context, dir, dbURL string) (int, error) {
	db, err := sql.Open(driverName, dbURL)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return 0, err
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, os.DirFS(dir), goose.WithSessionLocker(locker))
	if err != nil {
		return 0, err
	}
	res, err := p.Up(ctx)
	if err != nil {
		return 0, err
	}
	return len(res), nil
}

// BuildCLI builds the tandem binary into dir and returns its path.
func BuildCLI(dir string) (string, error) {
	bin := filepath.Join(dir, "tandem")
	// Built in tandem's own module (the replace directive's folder), with its go.sum: the
	// bench module lists only what its own packages import.
	root, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/tandem-db/tandem").Output()
	if err != nil {
		return "", fmt.Errorf("bench: find tandem's module: %w", err)
	}
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/tandem")
	cmd.Dir = strings.TrimSpace(string(root))
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("bench: build tandem: %w\n%s", err, out)
	}
	return bin, nil
}

// Check verifies that a database holds what n migrations made: the tables, and the rows of
// the seed migrations. It keeps a broken run from passing for a fast one.
func Check(ctx context.Context, dbURL string, n int) error {
	db, err := sql.Open("pgx", dbURL)
	if err != nil {
		return err
	}
	defer db.Close()
	var tables, rows int
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE 't____'").Scan(&tables); err != nil {
		return err
	}
	if want := (n + 3) / 4; tables != want {
		return fmt.Errorf("bench: %d tables, want %d", tables, want)
	}
	last := fmt.Sprintf("t%04d", n/4)
	if n >= 4 {
		if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+last).Scan(&rows); err != nil {
			return err
		}
		if rows != 3 {
			return fmt.Errorf("bench: %s has %d rows, want 3", last, rows)
		}
	}
	return nil
}

// Tool is one way of applying the migrations, for the benchmarks and the compare program.
type Tool struct {
	Name string
	Run  func(ctx context.Context, dir, dbURL string) error
}

// Tools lists the ways compared: tandem's library, tandem's binary at bin (left out when bin
// is empty) and goose's library.
func Tools(bin string, n int) []Tool {
	count := func(name string, f func(context.Context, string, string) (int, error)) Tool {
		return Tool{Name: name, Run: func(ctx context.Context, dir, dbURL string) error {
			got, err := f(ctx, dir, dbURL)
			if err != nil {
				return err
			}
			if got != n {
				return fmt.Errorf("bench: %s ran %d migrations, want %d", name, got, n)
			}
			return nil
		}}
	}
	tools := []Tool{count("tandem", Tandem)}
	if bin != "" {
		tools = append(tools, Tool{Name: "tandem-cli", Run: func(ctx context.Context, dir, dbURL string) error {
			return TandemCLI(ctx, bin, dir, dbURL)
		}})
	}
	return append(tools, count("goose", Goose))
}

// Once applies the migrations in dir with tool to a fresh database, checks the result, and
// returns how long the tool took (creating and dropping the database are not counted).
func Once(ctx context.Context, server, dir string, n int, tool Tool) (time.Duration, error) {
	dbURL, drop, err := Fresh(ctx, server)
	if err != nil {
		return 0, err
	}
	start := time.Now()
	err = tool.Run(ctx, dir, dbURL)
	took := time.Since(start)
	if err == nil {
		err = Check(ctx, dbURL, n)
	}
	if derr := drop(); derr != nil && err == nil {
		err = derr
	}
	return took, err
}

// ErrNoServer is returned by Ping when the PostgreSQL server does not answer.
var ErrNoServer = errors.New("bench: PostgreSQL server unreachable")

// Ping checks that the server answers.
func Ping(ctx context.Context, server string) error {
	db, err := sql.Open("pgx", server)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		return fmt.Errorf("%w (%s; set $TANDEM_TEST_POSTGRES): %v", ErrNoServer, redact(server), err)
	}
	return nil
}

func redact(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "the server URL"
	}
	return strings.ReplaceAll(u.Redacted(), "%20", " ")
}
