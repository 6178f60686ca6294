package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/user"
	"path/filepath"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/deploy"
	"github.com/tandem-db/tandem/internal/dburl"
	"github.com/tandem-db/tandem/move"
	"github.com/tandem-db/tandem/move/coord"
	"github.com/tandem-db/tandem/project"
	"github.com/tandem-db/tandem/store/redisstore"
	"github.com/tandem-db/tandem/store/sqlstore"
)

// moveUsage lists the subcommands, for "tandem move help" and after the listing of bare
// "tandem move".
func moveUsage() string {
	var b strings.Builder
	b.WriteString("tandem move <sub> NAME, where <sub> is one of:")
	for _, s := range moveSubcommands() {
		fmt.Fprintf(&b, "\n  %-9s %s", s.name, s.summary)
	}
	b.WriteString("\n  list      list every move with its phase and its problems (also tandem move, or status without NAME)")
	return b.String()
}

// openedMove is a move with its databases and store open.
type openedMove struct {
	move  *move.Move
	coord *coord.Driver
	dbs   []*sql.DB // opened for this command besides c.db; closed by close
	// closers close what else the command opened (a Redis client).
	closers []func() error
}

func (o *openedMove) close() {
	for _, db := range o.dbs {
		db.Close()
	}
	for _, f := range o.closers {
		f()
	}
}

// cmdMove is bare tandem move (the listing, then the subcommands), tandem move help, and any
// other word after move, which is no subcommand.
func cmdMove(ctx context.Context, c *cli, args []string) error {
	switch {
	case len(args) == 0:
		return moveList(ctx, c, true)
	case args[0] == "help":
		fmt.Fprintln(c.stdout, moveUsage())
		return nil
	}
	return usageError{fmt.Sprintf("unknown subcommand %q; say what to do: %s", args[0], moveUsage())}
}

// openMove loads the project's moves and opens the one named: both tables' databases and the
// switch store. The other moves' files do not have to parse: their problems are warnings
// (warnBroken), so that a broken file never blocks a rollback.
func (c *cli) openMove(ctx context.Context, name string) (*openedMove, error) {
	p, e, err := c.engine(ctx)
	if err != nil {
		return nil, err
	}
	cat := &p.Moves // project.Load read them with the project
	def, broken := cat.Lookup(name)
	for _, b := range cat.Broken {
		if b != broken {
			c.warnBroken(b)
		}
	}
	switch known := cat.Names(); {
	case broken != nil:
		return nil, broken.Err
	case def != nil:
	case len(known) == 0:
		return nil, fmt.Errorf("no move %q: the project has no moves (write moves/%s.yaml in %s)", name, name, c.projectDir)
	default:
		return nil, fmt.Errorf("no move %q in the project (it has: %s); a move is a file moves/NAME.yaml", name, strings.Join(known, ", "))
	}
	return c.openDefinition(ctx, p, e, def)
}

// warnBroken reports, on stderr, every problem of the file of a move other than the one the
// command acts on; JSON documents carry them as broken_moves.
func (c *cli) warnBroken(b *tandem.BrokenMove) {
	c.broken = append(c.broken, b)
	for _, p := range project.MoveProblems(b) {
		fmt.Fprintf(c.stderr, "tandem %s: warning: %s (move %s cannot be used until it is fixed)\n", c.command, c.scrub(where(p)), b.Name)
	}
}

// where renders a definition problem as file:line: message.
func where(p *project.FileError) string {
	if p.File == "" {
		return p.Err.Error()
	}
	return p.Error()
}

// openDefinition opens a parsed move: both tables' databases and the switch store.
func (c *cli) openDefinition(ctx context.Context, p *tandem.Project, e *deploy.Engine, def *tandem.MoveDefinition) (*openedMove, error) {
	// The environment's URL again, unredacted: a table elsewhere in the same database shares it.
	_, mainURL, err := c.environment(p)
	if err != nil {
		return nil, err
	}
	mv := &openedMove{}
	phys := map[*tandem.MoveTable]map[string]string{}
	quotes := map[*tandem.MoveTable]func(string) string{}
	open := func(t *tandem.MoveTable) (move.Side, string, error) {
		db, d, key, err := c.tableDB(p, e.DB, e.Dialect, mainURL, *t, mv)
		if err != nil {
			return move.Side{}, "", fmt.Errorf("move %s: %s:%d: table %s: %w", def.Name, def.File, t.Line, t, err)
		}
		quotes[t] = d.QuoteIdent
		schema := t.Schema
		if t.URL == "" && d.Capabilities().Schemas {
			// The table is in the project's database: without a schema it is where deploy put
			// the project's table of that name, and logical schemas in its SQL are mapped.
			env := e.Env
			if en := p.Config.Environment(t.Env); t.Env != "" && en != nil {
				env = en
			}
			phys[t] = physicalSchemas(p, env)
			if schema == "" {
				if schema, err = moveTableSchema(p, def, *t); err != nil {
					return move.Side{}, "", err
				}
			}
		}
		if schema != "" {
			// A logical schema maps through the environment that holds the table; a table
			// given by URL names its schema as it is.
			switch env := p.Config.Environment(t.Env); {
			case t.URL != "":
			case t.Env != "" && env != nil:
				schema = env.PhysicalSchema(schema)
			default:
				schema = e.Env.PhysicalSchema(schema)
			}
		} else if ds, ok := d.(interface {
			DefaultSchema(context.Context, tandem.Querier) (string, error)
		}); ok && d.Capabilities().Schemas {
			if schema, err = ds.DefaultSchema(ctx, db); err != nil {
				return move.Side{}, "", fmt.Errorf("move %s: table %s: find the default schema: %w", def.Name, t, err)
			}
		}
		return move.Side{DB: db, Dialect: d, Schema: schema, Table: t.Name}, key, nil
	}
	a, keyA, err := open(&def.From)
	if err != nil {
		mv.close()
		return nil, err
	}
	b, keyB, err := open(&def.To)
	if err != nil {
		mv.close()
		return nil, err
	}
	def = resolveExprs(def, phys[&def.From], phys[&def.To], quotes[&def.From], quotes[&def.To])
	mv.move = &move.Move{Def: def, A: a, B: b, Shared: keyA == keyB}
	store, err := c.switchStore(def, b, mv)
	if err != nil {
		mv.close()
		return nil, err
	}
	// The subcommand sets the waits and the backfill's options from its flags.
	mv.coord = &coord.Driver{Move: mv.move, Store: store, By: moveBy()}
	if c.verbose {
		mv.coord.Log = c.logger()
	} else {
		// Without -v only warnings, such as a store restored from the audit copy, which the
		// coordinator would otherwise log on slog's default logger, unscrubbed.
		mv.coord.Log = c.warnLogger()
	}
	return mv, nil
}

func defaultSQLite(c *cli, env string) string {
	dir, _ := filepath.Abs(filepath.Join(c.projectDir, ".tandem"))
	return "sqlite://" + filepath.ToSlash(filepath.Join(dir, env+".db"))
}

// tableDB opens the database of one end of a move: the environment's, unless the table names
// another environment or a URL. It returns a key that is equal for two tables in one database.
func (c *cli) tableDB(p *tandem.Project, mainDB *sql.DB, mainDialect tandem.Dialect, mainURL dburl.URL, t tandem.MoveTable, mv *openedMove) (*sql.DB, tandem.Dialect, string, error) {
	raw := ""
	switch {
	case t.URL != "":
		raw = t.URL
	case t.Env != "":
		env := p.Config.Environment(t.Env)
		if env == nil {
			return nil, nil, "", fmt.Errorf("no environment %q in tandem.yaml", t.Env)
		}
		if raw = env.URL; raw == "" {
			raw = defaultSQLite(c, env.Name)
		}
	default:
		return mainDB, mainDialect, mainURL.Driver + " " + mainURL.DSN, nil
	}
	expanded, err := project.ExpandEnv(raw, os.LookupEnv)
	if err != nil {
		return nil, nil, "", err
	}
	c.secrets.add(expanded) // never printed, whatever error quotes it
	u, err := dburl.Parse(expanded, c.projectDir)
	if err != nil {
		return nil, nil, "", err
	}
	key := u.Driver + " " + u.DSN
	if key == mainURL.Driver+" "+mainURL.DSN {
		return mainDB, mainDialect, key, nil
	}
	d, ok := dialects[u.Dialect]
	if !ok {
		return nil, nil, "", fmt.Errorf("no dialect for %s", u.Redacted)
	}
	db, err := sql.Open(u.Driver, withApplicationName(u, c.command).DSN)
	if err != nil {
		return nil, nil, "", fmt.Errorf("open %s: %w", u.Redacted, err)
	}
	mv.dbs = append(mv.dbs, db)
	if err := db.PingContext(context.Background()); err != nil {
		return nil, nil, "", fmt.Errorf("connect to %s: %w; check that the server is running and the URL, user and password are right", u.Redacted, err)
	}
	return db, d, key, nil
}

// switchStore opens the move's store: tables in B's database, or Redis. A redis:// URL may end
// in ?prefix=P to put the move's keys under P: instead of tandem: (the application must use
// the same prefix).
func (c *cli) switchStore(def *tandem.MoveDefinition, b move.Side, mv *openedMove) (tandem.SwitchStore, error) {
	store, err := project.ExpandEnv(def.Store, os.LookupEnv)
	if err != nil {
		return nil, fmt.Errorf("move %s: %s: store: %w", def.Name, def.File, err)
	}
	switch {
	case store == "" || store == "sql":
		s, err := sqlstore.New(b.DB, b.Dialect, sqlstore.Options{Schema: b.Schema})
		if err != nil {
			return nil, fmt.Errorf("move %s: open the switch store in %s's database: %w", def.Name, b, err)
		}
		return s, nil
	case strings.HasPrefix(store, "redis://") || strings.HasPrefix(store, "rediss://"):
		c.secrets.add(store)
		opt, prefix, err := redisOptions(store)
		if err != nil {
			return nil, fmt.Errorf("move %s: %s: store %s: %w", def.Name, def.File, dburl.Redact(store), err)
		}
		// go-redis logs every failed dial on its own; the error that matters is returned.
		redis.SetLogger(redisLog{c})
		client := redis.NewClient(opt)
		mv.closers = append(mv.closers, client.Close)
		return redisstore.New(client, redisstore.Options{Prefix: prefix}), nil
	}
	c.secrets.add(store)
	return nil, fmt.Errorf("move %s: %s: store %q: write sql (the default) or a redis:// URL", def.Name, def.File, dburl.Redact(def.Store))
}

// redisOptions reads a store URL: go-redis's URL, with tandem's prefix=P parameter and a
// password=P parameter that go-redis would refuse. Its errors never quote the URL.
func redisOptions(store string) (*redis.Options, string, error) {
	u, err := url.Parse(store)
	if err != nil {
		return nil, "", errors.New("not a valid URL: check the host and port, and percent-encode special characters in the user name and password")
	}
	q := u.Query()
	prefix := q.Get("prefix")
	q.Del("prefix")
	password, hasPassword := "", false
	for k, vs := range q {
		if !strings.EqualFold(k, "password") {
			continue
		}
		if _, ok := u.User.Password(); ok || len(vs) > 1 || hasPassword {
			return nil, "", errors.New("the password is given twice (in the user info and in the query, or twice in the query); keep one")
		}
		password, hasPassword = vs[0], true
		q.Del(k)
	}
	u.RawQuery = q.Encode()
	opt, err := redis.ParseURL(u.String())
	if err != nil {
		return nil, "", err
	}
	if hasPassword {
		opt.Password = password
	}
	return opt, prefix, nil
}

// redisLog takes go-redis's own log lines: dropped, or logged as warnings with -v.
type redisLog struct{ c *cli }

func (l redisLog) Printf(_ context.Context, format string, v ...any) {
	if l.c.verbose {
		l.c.logger().Warn(l.c.scrub(fmt.Sprintf(format, v...)), "from", "go-redis")
	}
}

// moveBy names who runs the coordinator, for the audit log: user@host.
func moveBy() string {
	name := ""
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	if name == "" {
		name = os.Getenv("USER")
	}
	return name + "@" + hostname()
}

// phaseDone prints the state a transition reached.
func phaseDone(c *cli, verb string, st tandem.MoveState) {
	if c.json {
		c.writeJSON(c.stdout, jsonMoveState(st))
		return
	}
	c.printf("move %s %s: %s (switches %s, version %d, epoch %d)\n", st.Move, verb, st.Phase, st.Switches, st.Version, st.Epoch)
}

// moveErr adds what to do to the errors a person can act on.
func moveErr(err error) error {
	var se *coord.StragglersError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, coord.ErrGate):
		return fmt.Errorf("%w (tandem move advance --force --reason R passes it anyway)", err)
	case errors.As(err, &se):
		return err
	}
	return err
}

func moveCheck(ctx context.Context, c *cli, mv *openedMove) error {
	rep, err := mv.move.Check(ctx)
	if err != nil {
		return err
	}
	if c.json {
		problems := []map[string]string{}
		for _, p := range rep.Problems {
			problems = append(problems, map[string]string{"kind": string(p.Kind), "message": p.Message})
		}
		c.writeJSON(c.stdout, map[string]any{"move": rep.Move, "ok": rep.OK(), "problems": problems})
	} else {
		c.printf("%s\n", rep.String())
	}
	if !rep.OK() {
		c.code = exitError
	}
	return nil
}

func moveStart(ctx context.Context, c *cli, mv *openedMove) error {
	st, err := mv.coord.State(ctx)
	if err != nil {
		return err
	}
	if st.Phase != tandem.PhasePending {
		return fmt.Errorf("move %s is already %s: start enters dual-write from pending; use tandem move advance or status", st.Move, st.Phase)
	}
	if err := mv.move.EnsureLogs(ctx); err != nil {
		return err
	}
	st, err = mv.coord.Advance(ctx, coord.AdvanceOptions{})
	if err != nil {
		return moveErr(err)
	}
	phaseDone(c, "started", st)
	return nil
}

func moveAdvance(ctx context.Context, c *cli, mv *openedMove, opts coord.AdvanceOptions) error {
	st, err := mv.coord.State(ctx)
	if err != nil {
		return err
	}
	if st.Phase == tandem.PhasePending {
		if err := mv.move.EnsureLogs(ctx); err != nil {
			return err
		}
	}
	st, err = mv.coord.Advance(ctx, opts)
	if err != nil {
		return moveErr(err)
	}
	phaseDone(c, "advanced", st)
	return nil
}

func moveVerify(ctx context.Context, c *cli, mv *openedMove) error {
	rep, err := mv.move.Verify(ctx, move.VerifyOptions{})
	if err != nil {
		return err
	}
	if c.json {
		c.writeJSON(c.stdout, jsonVerify(rep))
	} else {
		c.printf("%s\n", rep.String())
	}
	if !rep.OK() {
		c.code = exitError
	}
	return nil
}

func moveRepair(ctx context.Context, c *cli, mv *openedMove) error {
	rep, err := mv.move.Verify(ctx, move.VerifyOptions{})
	if err != nil {
		return err
	}
	n := 0
	if !rep.OK() {
		if n, err = mv.move.Repair(ctx, rep.Keys()); err != nil {
			return err
		}
	}
	after, err := mv.move.Verify(ctx, move.VerifyOptions{})
	if err != nil {
		return err
	}
	if c.json {
		c.writeJSON(c.stdout, map[string]any{"move": mv.move.Def.Name, "differences": len(rep.Differences), "repaired": n, "verify": jsonVerify(after)})
	} else {
		c.printf("repair %s: %d rows differed, %d re-copied from A\n%s\n", mv.move.Def.Name, len(rep.Differences), n, after.String())
	}
	if !after.OK() {
		c.code = exitError
	}
	return nil
}

func movePause(ctx context.Context, c *cli, mv *openedMove) error {
	st, err := mv.coord.State(ctx)
	if err != nil {
		return err
	}
	if st.Phase != tandem.PhaseDualWrite && st.Phase != tandem.PhaseBackfill {
		return fmt.Errorf("move %s is %s: pause holds the backfill between batches, so it applies in dual-write and backfill only", st.Move, st.Phase)
	}
	st, err = mv.coord.Pause(ctx, true)
	if err != nil {
		return err
	}
	phaseDone(c, "paused", st)
	return nil
}

func moveResume(ctx context.Context, c *cli, mv *openedMove) error {
	st, err := mv.coord.Pause(ctx, false)
	if err != nil {
		return err
	}
	phaseDone(c, "resumed", st)
	return nil
}

func jsonVerify(rep *move.VerifyReport) map[string]any {
	diffs := []map[string]any{}
	for _, d := range rep.Differences {
		j := map[string]any{"key": d.Key.String(), "kind": string(d.Kind)}
		if len(d.Columns) > 0 {
			j["columns"] = d.Columns
		}
		diffs = append(diffs, j)
	}
	return map[string]any{"move": rep.Move, "ok": rep.OK(), "method": rep.Method, "chunks": rep.Chunks, "rows_a": rep.RowsA, "rows_b": rep.RowsB,
		"differences": diffs, "truncated": rep.Truncated, "ms": rep.Took.Milliseconds()}
}
