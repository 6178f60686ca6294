package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"time"

	_ "github.com/go-sql-driver/mysql"
	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/deploy"
	"github.com/tandem-db/tandem/dialect/mysql"
	"github.com/tandem-db/tandem/dialect/postgres"
	"github.com/tandem-db/tandem/dialect/sqlite"
	"github.com/tandem-db/tandem/internal/dburl"
	"github.com/tandem-db/tandem/project"
)

// usageError is a command line that cannot run as given: exit code 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// cli holds one command's flags and what it opened.
type cli struct {
	stdout, stderr io.Writer
	command        string

	projectDir  string // --project, else $TANDEM_PROJECT, else "."
	envName     string // --env, else $TANDEM_ENV
	envFrom     string // where envName came from when not from --env: "$TANDEM_ENV"
	url         string // --url only; environment() reads $TANDEM_URL and $DATABASE_URL
	json        bool
	verbose     bool
	lockWait    time.Duration
	lockTimeout time.Duration
	appVersion  string

	// outOfOrder is what plan and deploy --out-of-order ask of the environment (environment
	// sets the environment's OutOfOrder from it).
	outOfOrder bool
	// envURL is the environment's database URL, expanded, once environment has chosen it.
	envURL string

	// broken are the move files, other than the one a move command acts on, that do not
	// parse: warned about on stderr, and carried by every JSON document as broken_moves.
	broken []*tandem.BrokenMove

	secrets secrets // passwords that must never be printed
	db      *sql.DB
	code    int // exit code chosen by the command when it returns nil

	ran bool  // a command ran (not help, --version or completion): finish picks the exit code
	err error // what the command returned
}

// finish prints an error (once, redacted) and picks the exit code.
func (c *cli) finish(err error) int {
	if c.db != nil {
		c.db.Close()
	}
	if err == nil {
		return c.code
	}
	c.printError(err)
	var le *tandem.LockError
	var pe *deploy.ProblemsError
	switch {
	case errors.As(err, &le):
		return exitLocked
	case errors.As(err, &pe):
		return exitProblems
	case errors.As(err, new(usageError)):
		return exitUsage
	}
	return exitError
}

// scrub removes every password from text meant for output.
func (c *cli) scrub(s string) string { return c.secrets.scrub(s) }

// writeJSON prints v as indented JSON, every string in it scrubbed. A document of a move
// command or an error (one with jsonBrokenMoves) also says which other moves' files are
// broken (broken_moves), so that machines see the warnings too.
func (c *cli) writeJSON(w io.Writer, v any) {
	if len(c.broken) > 0 {
		switch doc := v.(type) {
		case interface{ brokenMoves() *[]jsonBrokenMove }:
			if p := doc.brokenMoves(); *p == nil {
				*p = toJSONBroken(c.broken)
			}
		}
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
	_, _ = w.Write(scrubJSON(b.Bytes(), c.scrub))
}

// scrubbed wraps a log handler so that no log line shows a password.
func (c *cli) scrubbed(h slog.Handler) *slog.Logger {
	return slog.New(scrubHandler{h: h, scrub: c.scrub})
}

func (c *cli) printf(format string, args ...any) {
	if !c.json {
		fmt.Fprint(c.stdout, c.scrub(fmt.Sprintf(format, args...)))
	}
}

// loadProject reads the project folder.
func (c *cli) loadProject() (*tandem.Project, error) {
	info, err := os.Stat(c.projectDir)
	if err != nil {
		return nil, fmt.Errorf("project folder %s: %w; pass --project DIR, or run \"tandem init\" to create one", c.projectDir, err)
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("project %s is not a folder", c.projectDir)
	}
	p, err := project.Load(os.DirFS(c.projectDir), project.Options{})
	if err != nil {
		return nil, err
	}
	// history --url reads a database's runs, which needs no project.
	if c.command != "move" && (c.command != "history" || c.url == "") {
		if err := checkProject(c.projectDir, p); err != nil {
			return nil, err
		}
	}
	for _, w := range p.Warnings {
		// skipped files and folders are told without -v: a migration left unread is never silent
		if c.verbose || project.SkippedWarning(w) {
			fmt.Fprintf(c.stderr, "warning: %s\n", c.scrub(w))
		}
	}
	return p, nil
}

// environment picks the environment and resolves its URL.
func (c *cli) environment(p *tandem.Project) (*tandem.Environment, dburl.URL, error) {
	var env *tandem.Environment
	switch {
	case c.envName != "":
		env = p.Config.Environment(c.envName)
		if env == nil {
			if c.url == "" && os.Getenv("TANDEM_URL") == "" {
				var names []string
				for _, e := range p.Config.Environments {
					names = append(names, e.Name)
				}
				from := ""
				if c.envFrom != "" {
					from = "; the name comes from " + c.envFrom
				}
				return nil, dburl.URL{}, fmt.Errorf("no environment %q in the project (it has: %s)%s", c.envName, strings.Join(names, ", "), from)
			}
			env = &tandem.Environment{Name: c.envName}
		}
	case len(p.Config.Environments) > 0:
		env = &p.Config.Environments[0]
	default:
		env = &tandem.Environment{Name: "default"}
	}
	e := *env
	if c.outOfOrder {
		e.OutOfOrder = true
	}
	raw, from := urlOf(c.url, e.URL)
	var expand func(string) (string, error)
	if from == "" {
		// A URL from tandem.yaml or --url may read ${VAR}; one from a variable is used as it is.
		expand = func(s string) (string, error) { return project.ExpandEnv(s, os.LookupEnv) }
	}
	expanded, err := dburl.Expand(raw, expand, c.secrets.add)
	if err != nil {
		return nil, dburl.URL{}, fmt.Errorf("environment %s: %w", e.Name, err)
	}
	// Tokens go into the SQL, which plan prints: like the URL they are expanded here, never
	// stored expanded in the project.
	if e.Tokens, err = project.ExpandTokens(e.Tokens, os.LookupEnv); err != nil {
		return nil, dburl.URL{}, fmt.Errorf("environment %s: %w", e.Name, err)
	}
	empty := false // the embedded database does not exist, and this command must not create it
	if expanded == "" {
		dir, err := filepath.Abs(filepath.Join(c.projectDir, ".tandem"))
		if err != nil {
			return nil, dburl.URL{}, err
		}
		file := filepath.Join(dir, e.Name+".db")
		if _, err := os.Stat(file); err != nil && readOnly(c.command) {
			empty = true
		} else if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, dburl.URL{}, fmt.Errorf("create %s: %w", dir, err)
		}
		expanded = "sqlite://" + filepath.ToSlash(file)
	}
	c.envURL = expanded
	u, err := dburl.Parse(expanded, c.projectDir)
	if err != nil {
		if from != "" {
			return nil, dburl.URL{}, fmt.Errorf("environment %s: the URL in %s: %w", e.Name, from, err)
		}
		return nil, dburl.URL{}, fmt.Errorf("environment %s: %w", e.Name, err)
	}
	e.URL = u.Redacted
	if empty {
		u = emptyEmbedded(u)
	}
	return &e, u, nil
}

var dialects = tandem.Dialects{
	"postgres": postgres.New(),
	"mysql":    mysql.New(),
	"sqlite":   sqlite.New(),
}

// engine opens the project, the database and an engine for them.
func (c *cli) engine(ctx context.Context) (*tandem.Project, *deploy.Engine, error) {
	p, err := c.loadProject()
	if err != nil {
		return nil, nil, err
	}
	env, u, err := c.environment(p)
	if err != nil {
		return nil, nil, err
	}
	d, ok := dialects[u.Dialect]
	if !ok {
		return nil, nil, fmt.Errorf("no dialect for %s", u.Redacted)
	}
	db, err := sql.Open(u.Driver, withApplicationName(u, c.command).DSN)
	if err != nil {
		return nil, nil, fmt.Errorf("open %s: %w", u.Redacted, err)
	}
	c.db = db
	pingCtx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := db.PingContext(pingCtx); err != nil {
		hint := "check that the server is running and the URL, user and password are right"
		if u.Dialect == "sqlite" {
			hint = "check that the folder exists and is writable"
		}
		return nil, nil, fmt.Errorf("connect to %s: %w; %s", u.Redacted, err, hint)
	}
	e := &deploy.Engine{DB: db, Dialect: d, Env: env, LockWait: c.lockWait, LockTimeout: c.lockTimeout,
		Tool: "tandem " + toolVersion(), App: c.appVersion, User: currentUser(), Host: hostname(), Scrub: c.scrub}
	if c.verbose || !isTerminal(c.stderr) {
		if !c.json || c.verbose {
			e.Log = c.scrubbed(slog.NewTextHandler(c.stderr, nil))
		}
	}
	if e.Log == nil {
		// Without the step log, warnings (a run found interrupted) still reach stderr.
		e.Log = c.scrubbed(slog.NewTextHandler(c.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	if isTerminal(c.stderr) && !c.json {
		e.Progress = newBar(c.stderr).update
	}
	return p, e, nil
}

func currentUser() string {
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return os.Getenv("USER")
}

func hostname() string {
	h, _ := os.Hostname()
	return h
}
