package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/user"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/deploy"
	"github.com/tandem-db/tandem/internal/dburl"
	"github.com/tandem-db/tandem/move"
	"github.com/tandem-db/tandem/move/coord"
	"github.com/tandem-db/tandem/move/open"
	"github.com/tandem-db/tandem/project"
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

// openedMove is a move with its databases and store open (by move/open).
type openedMove struct {
	move   *move.Move
	coord  *coord.Driver
	opened *open.Move
}

func (o *openedMove) close() { o.opened.Close() }

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
	_, broken := cat.Lookup(name)
	for _, b := range cat.Broken {
		if b != broken {
			c.warnBroken(b)
		}
	}
	def, err := open.Lookup(p, name, c.projectDir)
	if err != nil {
		return nil, err
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

// openDefinition opens a parsed move with move/open: the environment's database is the
// engine's, every other one is opened by openDatabase.
func (c *cli) openDefinition(ctx context.Context, p *tandem.Project, e *deploy.Engine, def *tandem.MoveDefinition) (*openedMove, error) {
	// go-redis logs every failed dial on its own; the error that matters is returned.
	redis.SetLogger(redisLog{c})
	opened, err := open.Definition(ctx, p, e.Env.Name, def, open.Options{
		Open: c.openDatabase, URL: c.envURL, DB: e.DB, Dialect: e.Dialect,
		ProjectDir: c.projectDir, Learn: c.secrets.add, By: moveBy()})
	if err != nil {
		return nil, err
	}
	mv := &openedMove{move: opened.Move, coord: opened.Coord, opened: opened}
	// The subcommand sets the waits and the backfill's options from its flags.
	if c.verbose {
		mv.coord.Log = c.logger()
	} else {
		// Without -v only warnings, such as a store restored from the audit copy, which the
		// coordinator would otherwise log on slog's default logger, unscrubbed.
		mv.coord.Log = c.warnLogger()
	}
	return mv, nil
}

// openDatabase opens a database URL of a move's table, checks that it answers, and returns it
// with its dialect (move/open's Opener).
func (c *cli) openDatabase(ctx context.Context, raw string) (*sql.DB, tandem.Dialect, error) {
	u, err := dburl.Parse(raw, c.projectDir)
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
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, nil, fmt.Errorf("connect to %s: %w; check that the server is running and the URL, user and password are right", u.Redacted, err)
	}
	return db, d, nil
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
		c.writeJSON(c.stdout, &jsonMoveStateDoc{jsonMoveState: toJSONMoveState(st)})
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
		doc := &jsonCheckDoc{Move: rep.Move, OK: rep.OK(), Problems: []jsonCheckProblem{}}
		for _, p := range rep.Problems {
			doc.Problems = append(doc.Problems, jsonCheckProblem{Kind: string(p.Kind), Message: p.Message})
		}
		c.writeJSON(c.stdout, doc)
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
		doc := toJSONVerify(rep)
		c.writeJSON(c.stdout, &doc)
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
		c.writeJSON(c.stdout, &jsonRepairDoc{Move: mv.move.Def.Name, Differences: len(rep.Differences), Repaired: n, Verify: toJSONVerify(after)})
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
