package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
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
	"github.com/tandem-db/tandem/move"
	"github.com/tandem-db/tandem/project"
)

var errHelp = errors.New("help shown")

// usageError is a command line that cannot run as given: exit code 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// cli holds one command's flags and what it opened.
type cli struct {
	stdout, stderr io.Writer
	command        string

	projectDir  string
	envName     string
	url         string
	json        bool
	verbose     bool
	lockWait    time.Duration
	lockTimeout time.Duration
	appVersion  string

	// per-command flags
	tag      string
	to       string
	exitCode bool
	explain  string
	// deploy, plan: allow numbered migrations below the highest version deployed
	outOfOrder bool

	// tandem move
	force, confirm    bool
	reason            string
	ackTimeout, grace time.Duration
	metricsAddr       string        // backfill: serve Prometheus metrics here
	progressEvery     time.Duration // backfill: least time between two progress log lines
	workers           int           // backfill: parts copied at once
	workersSet        bool          // backfill: --workers was given
	share             bool          // backfill: lease parts through the store
	leaseTTL          time.Duration // backfill: a part's lease without renewal
	batchSize         int           // tune
	batchTarget       time.Duration // tune
	maxRows           int           // tune

	// broken are the move files, other than the one a move command acts on, that do not
	// parse: warned about on stderr, and carried by every JSON document as broken_moves.
	broken []*move.BrokenFile

	secrets secrets // passwords that must never be printed
	db      *sql.DB
	code    int // exit code chosen by the command when it returns nil
}

func (c *cli) parse(cmd command, args []string) ([]string, error) {
	fs := flag.NewFlagSet("tandem "+cmd.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are printed once, by run
	fs.StringVar(&c.projectDir, "project", ".", "the project folder")
	fs.StringVar(&c.envName, "env", "", "the environment")
	fs.StringVar(&c.url, "url", "", "the database URL, overriding the environment's")
	fs.BoolVar(&c.json, "json", false, "print JSON")
	fs.BoolVar(&c.verbose, "v", false, "log every step")
	fs.DurationVar(&c.lockWait, "lock-wait", tandem.DefaultLockWait, "how long to wait for another deploy's lock")
	fs.DurationVar(&c.lockTimeout, "lock-timeout", 0, "how long a statement may wait for a table lock (default 5s)")
	fs.StringVar(&c.appVersion, "app-version", os.Getenv("TANDEM_APP_VERSION"), "the application version to record in history (default $TANDEM_APP_VERSION)")
	switch cmd.name {
	case "deploy":
		fs.StringVar(&c.tag, "tag", "", "name this run, for rollback --to")
		fs.BoolVar(&c.outOfOrder, "out-of-order", false, "apply numbered migrations whose version is below the highest deployed (as out_of_order: true in tandem.yaml)")
	case "plan":
		fs.BoolVar(&c.outOfOrder, "out-of-order", false, "plan numbered migrations whose version is below the highest deployed (as out_of_order: true in tandem.yaml)")
	case "rollback":
		fs.StringVar(&c.to, "to", "", "the run id or tag to return to (0: before the first run)")
	case "status":
		fs.BoolVar(&c.exitCode, "exit-code", false, "exit 3 when changes are pending, 4 when there are problems")
	case "move":
		fs.BoolVar(&c.force, "force", false, "advance: pass a gate that is not met (needs --reason)")
		fs.StringVar(&c.reason, "reason", "", "advance, rollback: why, recorded in the audit log")
		fs.BoolVar(&c.confirm, "confirm", false, "advance: enter complete, which cannot be undone")
		fs.DurationVar(&c.ackTimeout, "ack-timeout", 2*time.Minute, "how long to wait for every instance to acknowledge a phase")
		fs.DurationVar(&c.grace, "grace", 5*time.Second, "wait after the last acknowledgement, for requests under the old switches (0: none)")
		fs.StringVar(&c.metricsAddr, "metrics", "", "backfill: serve Prometheus metrics at http://ADDR/metrics while it runs (host:port)")
		fs.DurationVar(&c.progressEvery, "progress-every", defaultProgressEvery, "backfill: the least time between two progress lines in a log or with --json (0: after every batch)")
		fs.IntVar(&c.workers, "workers", 0, "backfill: how many parts of the backfill this process copies at once (default: the move's batch.workers, else 1)")
		fs.BoolVar(&c.share, "share", false, "backfill: lease parts through the switch store, so that backfills started on several hosts share the work")
		fs.DurationVar(&c.leaseTTL, "lease-ttl", 30*time.Second, "backfill --share: how long a part stays leased to a process that stopped renewing it")
		fs.IntVar(&c.batchSize, "batch-size", 0, "tune: the batch size in rows (it adapts to the target from there)")
		fs.DurationVar(&c.batchTarget, "target", 0, "tune: the batch time the size adapts to")
		fs.IntVar(&c.maxRows, "max-rows", 0, "tune: the most rows copied per second, over all workers")
	case "graph":
		fs.StringVar(&c.explain, "explain", "", "list why each edge into and out of this object exists")
	}
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: tandem %s %s\n  %s\n\nFlags:\n", cmd.name, cmd.args, cmd.summary)
		fs.PrintDefaults()
	}
	// Flags may come before or after positional arguments.
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fs.SetOutput(c.stderr)
				fs.Usage()
				return nil, errHelp
			}
			return nil, err
		}
		fs.Visit(func(f *flag.Flag) { c.workersSet = c.workersSet || f.Name == "workers" })
		if fs.NArg() == 0 {
			break
		}
		rest = append(rest, fs.Arg(0))
		args = fs.Args()[1:]
	}
	return rest, nil
}

// finish prints an error (once, redacted) and picks the exit code.
func (c *cli) finish(err error) int {
	if c.db != nil {
		c.db.Close()
	}
	if err == nil {
		return c.code
	}
	msg := c.scrub(err.Error())
	if c.json {
		c.writeJSON(c.stdout, map[string]any{"error": msg, "command": c.command})
	}
	fmt.Fprintf(c.stderr, "tandem %s: %s\n", c.command, msg)
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

// writeJSON prints v as indented JSON, every string in it scrubbed. A document (a map) of a
// move command also says which other moves' files are broken (broken_moves), so that machines
// see the warnings too.
func (c *cli) writeJSON(w io.Writer, v any) {
	if doc, ok := v.(map[string]any); ok && len(c.broken) > 0 {
		if _, set := doc["broken_moves"]; !set {
			doc["broken_moves"] = jsonBroken(c.broken)
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
			if c.url == "" {
				var names []string
				for _, e := range p.Config.Environments {
					names = append(names, e.Name)
				}
				return nil, dburl.URL{}, fmt.Errorf("no environment %q in the project (it has: %s)", c.envName, strings.Join(names, ", "))
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
	raw := e.URL
	if c.url != "" {
		raw = c.url
	}
	expanded, err := project.ExpandEnv(raw, os.LookupEnv)
	if err != nil {
		return nil, dburl.URL{}, fmt.Errorf("environment %s: %w", e.Name, err)
	}
	// Tokens go into the SQL, which plan prints: like the URL they are expanded here, never
	// stored expanded in the project.
	if e.Tokens, err = project.ExpandTokens(e.Tokens, os.LookupEnv); err != nil {
		return nil, dburl.URL{}, fmt.Errorf("environment %s: %w", e.Name, err)
	}
	if expanded == "" {
		dir, err := filepath.Abs(filepath.Join(c.projectDir, ".tandem"))
		if err != nil {
			return nil, dburl.URL{}, err
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, dburl.URL{}, fmt.Errorf("create %s: %w", dir, err)
		}
		expanded = "sqlite://" + filepath.ToSlash(filepath.Join(dir, e.Name+".db"))
	}
	c.secrets.add(expanded)
	u, err := dburl.Parse(expanded, c.projectDir)
	if err != nil {
		return nil, dburl.URL{}, fmt.Errorf("environment %s: %w", e.Name, err)
	}
	e.URL = u.Redacted
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
	db, err := sql.Open(u.Driver, u.DSN)
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
		Tool: "tandem " + version, App: c.appVersion, User: currentUser(), Host: hostname(), Scrub: c.scrub}
	if c.verbose || !isTerminal(c.stderr) {
		if !c.json || c.verbose {
			e.Log = c.scrubbed(slog.NewTextHandler(c.stderr, nil))
		}
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
