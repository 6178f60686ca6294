package deploy

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/plan"
)

// Engine deploys projects to one database. It is safe to use from one goroutine at a time; two
// engines (in one process or many) on the same database serialise on the database's deploy lock.
type Engine struct {
	DB      *sql.DB
	Dialect tandem.Dialect
	// Env is the environment being deployed: its name selects environment-specific changes, its
	// tokens and schema map shape the SQL.
	Env *tandem.Environment
	// Log receives one line per step and per run; nil discards.
	Log *slog.Logger
	// LockWait bounds how long a command waits for another deploy's lock (default
	// tandem.DefaultLockWait).
	LockWait time.Duration
	// LockTimeout bounds each statement's wait for a table lock where the database supports it
	// (default tandem.DefaultLockTimeout), so a deploy never queues traffic behind it.
	LockTimeout time.Duration
	// Retries is how many times a change whose lock wait timed out is retried with backoff
	// (default 5; negative disables retries).
	Retries int
	// Tool and App are the tool and application versions written into history.
	Tool, App string
	// User and Host say who ran the command, for history.
	User, Host string
	// Progress, when set, is called before and after each step.
	Progress func(Progress)
	// Scrub, when set, cleans the text the engine writes into history of secrets (a failed
	// run's error may quote what a driver or server said about a password).
	Scrub func(string) string
	// Changesets selects the changesets that Plan, Status and Baseline treat as deployed by the
	// coming deploy; the changes of the others are listed in Plan.Deferred (see
	// plan.Changesets). Deploy adds Options.Changesets to it.
	Changesets plan.Changesets
}

// Progress reports where a command is.
type Progress struct {
	Done, Total int
	Step        plan.Step
	Finished    bool // false: the step is starting; true: it ended
	Err         error
}

// discard is the logger of an engine without one.
var discard = slog.New(slog.NewTextHandler(io.Discard, nil))

func (e *Engine) log() *slog.Logger {
	if e.Log == nil {
		return discard
	}
	return e.Log
}

func (e *Engine) lockWait() time.Duration {
	if e.LockWait > 0 {
		return e.LockWait
	}
	return tandem.DefaultLockWait
}

func (e *Engine) lockTimeout() time.Duration {
	if e.LockTimeout > 0 {
		return e.LockTimeout
	}
	if e.Env != nil && e.Env.LockTimeout != "" {
		if d, err := time.ParseDuration(e.Env.LockTimeout); err == nil {
			return d
		}
	}
	return tandem.DefaultLockTimeout
}

func (e *Engine) retries() int {
	switch {
	case e.Retries < 0:
		return 0
	case e.Retries == 0:
		return 5
	}
	return e.Retries
}

// session is one command's hold on the database: the lock, the working connection and the
// history tables.
type session struct {
	e             *Engine
	conn          *sql.Conn // runs the changes
	hist          history
	defaultSchema string // physical schema unqualified names resolve to at session start
	current       string // schema the session currently resolves to ("" until set)
	created       map[string]bool
	env           *tandem.Environment // the engine's, with the defaults adopt adds
	unlock        func(context.Context) error
	lockConn      *sql.Conn
	run           tandem.Run
	callbacks     []tandem.Callback   // the project's, set by Deploy (no other command runs them)
	tokens        func(string) string // replaces tokens in callbacks and verify scripts; set by Deploy
	state         connState           // how to restore the connection between changes (session.go)
	changesets    plan.Changesets     // the changesets diff selects: the engine's, plus Deploy's
}

// open takes the deploy lock (when write is set), opens the working connection and finds the
// history tables. A read-only session takes no lock and creates nothing.
func (e *Engine) open(ctx context.Context, write bool, command string) (*session, error) {
	if e.DB == nil || e.Dialect == nil || e.Env == nil {
		return nil, errors.New("the deploy engine needs DB, Dialect and Env")
	}
	s := &session{e: e, env: e.Env, changesets: e.Changesets}
	if write {
		lc, err := e.DB.Conn(ctx)
		if err != nil {
			return nil, fmt.Errorf("connect: %w", err)
		}
		// One lock per database, whatever the environment: two environments may name the
		// same database.
		unlock, err := e.Dialect.Lock(ctx, lc, "deploy", e.lockWait())
		if err != nil {
			lc.Close()
			return nil, err
		}
		s.lockConn, s.unlock = lc, unlock
	}
	conn, err := e.DB.Conn(ctx)
	if err != nil {
		s.close(ctx)
		return nil, fmt.Errorf("connect: %w", err)
	}
	s.conn = conn
	if s.defaultSchema, err = e.Dialect.DefaultSchema(ctx, conn); err != nil {
		s.close(ctx)
		return nil, fmt.Errorf("find default schema: %w", err)
	}
	hs := e.Env.HistorySchema
	if hs == "" {
		hs = s.defaultSchema
	}
	if !e.Dialect.Capabilities().Schemas {
		hs = ""
	}
	s.hist = history{d: e.Dialect, schema: hs, kinds: map[string]bool{}}
	if !write {
		return s, nil
	}
	setup := append(e.Dialect.SessionSetup(e.lockTimeout()), e.Dialect.ClientCheck()...)
	for _, stmt := range setup {
		if _, err := conn.ExecContext(ctx, stmt); err != nil {
			s.close(ctx)
			return nil, fmt.Errorf("session setup %q: %w", stmt, err)
		}
	}
	if err := s.readState(ctx); err != nil {
		s.close(ctx)
		return nil, err
	}
	if err := s.createSchema(ctx, hs); err != nil {
		s.close(ctx)
		return nil, err
	}
	if err := s.hist.ensure(ctx, conn); err != nil {
		s.close(ctx)
		return nil, err
	}
	now := time.Now()
	stale, err := s.hist.markInterrupted(ctx, conn, now)
	if err != nil {
		s.close(ctx)
		return nil, err
	}
	for _, r := range stale {
		e.log().Warn(fmt.Sprintf("run %d (%s) by %s started at %s was interrupted: its process ended without recording how the run ended; marked interrupted",
			r.ID, r.Command, runBy(r), r.Started.Local().Format("2006-01-02 15:04:05")), "run", r.ID)
	}
	s.run = tandem.Run{Environment: e.Env.Name, Command: command, Started: now, Status: "running",
		User: e.User, Host: e.Host, Tool: e.Tool, App: e.App}
	return s, nil
}

// runBy names who ran r: user@host, or whichever of them history has.
func runBy(r tandem.Run) string {
	switch {
	case r.User != "" && r.Host != "":
		return r.User + "@" + r.Host
	case r.Host != "":
		return r.Host
	case r.User != "":
		return r.User
	}
	return "an unknown user"
}

// begin records the start of the session's run.
func (s *session) begin(ctx context.Context, tag string) error {
	s.run.Tag = tag
	return s.hist.startRun(ctx, s.conn, &s.run)
}

// finish records how the run ended. It uses a context that survives cancellation, so that a
// cancelled deploy still says so in history.
func (s *session) finish(ctx context.Context, runErr error) {
	if s.run.ID == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	s.run.Ended, s.run.Status = time.Now(), "ok"
	if runErr != nil {
		s.run.Status, s.run.Detail = "failed", runErr.Error()
		if s.e.Scrub != nil {
			s.run.Detail = s.e.Scrub(s.run.Detail)
		}
	}
	if err := s.hist.endRun(ctx, s.conn, &s.run); err != nil {
		s.e.log().Warn("could not record the end of the run", "run", s.run.ID, "err", err)
	}
}

func (s *session) close(ctx context.Context) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if s.conn != nil {
		// The session changed the connection's settings (search path, lock timeout): returning
		// it to the pool would hand them to whoever takes it next, so it is discarded.
		_ = s.conn.Raw(func(any) error { return driver.ErrBadConn })
		s.conn.Close()
	}
	if s.unlock != nil {
		if err := s.unlock(ctx); err != nil {
			s.e.log().Warn("could not release the deploy lock; it is released when the connection closes", "err", err)
		}
	}
	if s.lockConn != nil {
		s.lockConn.Close()
	}
}

// use makes unqualified names resolve to the physical schema of a logical one ("" means the
// session's default schema).
func (s *session) use(ctx context.Context, logical string) error {
	if !s.e.Dialect.Capabilities().Schemas {
		return nil
	}
	phys := s.defaultSchema
	if logical != "" {
		phys = s.env.PhysicalSchema(logical)
	}
	if phys == "" || phys == s.current {
		return nil
	}
	if err := s.createSchema(ctx, phys); err != nil {
		return err
	}
	for _, stmt := range s.e.Dialect.UseSchema(phys) {
		if _, err := s.conn.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("use schema %s: %w", phys, err)
		}
	}
	s.current = phys
	return nil
}

// createSchema creates a schema unless it is the session's default one (which exists) or was
// created already: on MySQL even CREATE DATABASE IF NOT EXISTS waits for metadata locks.
func (s *session) createSchema(ctx context.Context, phys string) error {
	if phys == "" || phys == s.defaultSchema || s.created[phys] {
		return nil
	}
	if stmt := s.e.Dialect.CreateSchema(phys); stmt != "" {
		if _, err := s.conn.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("create schema %s: %w", phys, err)
		}
	}
	if s.created == nil {
		s.created = map[string]bool{}
	}
	s.created[phys] = true
	return nil
}

// adopt fits the session to a project: on a database whose schemas are whole databases (MySQL),
// a project with a single logical schema that the environment does not map deploys into the
// URL's database, not into a database named after the schema that every environment on the
// server would share.
func (s *session) adopt(p *tandem.Project) {
	if !s.e.Dialect.Capabilities().SchemaIsDatabase || s.defaultSchema == "" {
		return
	}
	logical := map[string]bool{}
	for _, sc := range p.Config.Schemas {
		logical[strings.ToLower(sc)] = true
	}
	for _, o := range p.Objects {
		if o.Key.Schema != "" {
			logical[o.Key.Schema] = true
		}
	}
	if len(logical) != 1 {
		return
	}
	for sc := range logical {
		for k := range s.env.SchemaMap {
			if strings.EqualFold(k, sc) {
				return
			}
		}
		env := *s.env
		env.SchemaMap = map[string]string{sc: s.defaultSchema}
		for k, v := range s.e.Env.SchemaMap {
			env.SchemaMap[k] = v
		}
		s.env = &env
	}
}

// physical returns the physical schema for a logical one.
func (s *session) physical(logical string) string {
	if !s.e.Dialect.Capabilities().Schemas {
		return ""
	}
	if logical == "" {
		return s.defaultSchema
	}
	return s.env.PhysicalSchema(logical)
}

// records reads the history, or nothing when the history tables do not exist yet.
func (s *session) records(ctx context.Context) ([]tandem.Record, error) {
	ok, err := s.hist.exists(ctx, s.conn)
	if err != nil || !ok {
		return nil, err
	}
	return s.hist.records(ctx, s.conn)
}

func isNotFound(err error) bool { return errors.Is(err, tandem.ErrNotFound) }

// inTx runs fn in a transaction on the session's connection.
func (s *session) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		if rbErr := tx.Rollback(); rbErr != nil && !errors.Is(rbErr, sql.ErrTxDone) {
			return errors.Join(err, fmt.Errorf("roll back the transaction: %w", rbErr))
		}
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// who says who runs the command, for history.
func (e *Engine) who() string {
	if e.Host == "" {
		return e.User
	}
	return e.User + "@" + e.Host
}

func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " ..."
	}
	return s
}
