package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/deploy"
	"github.com/tandem-db/tandem/plan"
	"github.com/tandem-db/tandem/project"
)

func cmdVersion(_ context.Context, c *cli, _ []string) error {
	if c.json {
		c.writeJSON(c.stdout, struct {
			Version string `json:"version"`
		}{toolVersion()})
		return nil
	}
	fmt.Fprintln(c.stdout, "tandem", toolVersion())
	return nil
}

// initCmd is tandem init [dir].
type initCmd struct{}

func (*initCmd) flags(*pflag.FlagSet) {}

func (*initCmd) run(_ context.Context, c *cli, args []string) error {
	dir := c.projectDir
	if len(args) > 0 {
		dir = args[0]
	}
	if _, err := os.Stat(filepath.Join(dir, "tandem.yaml")); err == nil {
		return fmt.Errorf("%s already has a tandem.yaml; nothing was written", dir)
	}
	var written []string
	err := project.Scaffold(func(name string, data []byte) error {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		written = append(written, name)
		return os.WriteFile(path, data, 0o644)
	})
	if err != nil {
		return fmt.Errorf("init %s: %w", dir, err)
	}
	if c.json {
		c.writeJSON(c.stdout, struct {
			Project string   `json:"project"`
			Files   []string `json:"files"`
		}{dir, written})
		return nil
	}
	fmt.Fprintf(c.stdout, "Created a project in %s:\n", dir)
	for _, w := range written {
		fmt.Fprintf(c.stdout, "  %s\n", w)
	}
	fmt.Fprintf(c.stdout, "Next: tandem plan --project %s, then tandem deploy --project %s\n", dir, dir)
	return nil
}

// planCmd is tandem plan: the deploy's plan, or with --rollback-to a rollback's.
type planCmd struct {
	changesets plan.Changesets
	outOfOrder bool
	rollbackTo string
}

func (pc *planCmd) flags(fs *pflag.FlagSet) {
	fs.BoolVar(&pc.outOfOrder, "out-of-order", false, "plan numbered migrations whose version is below the highest deployed (as out_of_order: true in tandem.yaml)")
	fs.StringVar(&pc.rollbackTo, "rollback-to", "", "show the steps and SQL that rollback --to `RUN|TAG` would run, instead of the deploy's")
	changesetFlags(fs, &pc.changesets, "plan")
}

func (pc *planCmd) run(ctx context.Context, c *cli, _ []string) error {
	c.outOfOrder = pc.outOfOrder
	if pc.rollbackTo != "" {
		return cmdPlanRollback(ctx, c, pc.rollbackTo)
	}
	p, e, err := c.engine(ctx)
	if err != nil {
		return err
	}
	e.Changesets = pc.changesets
	pv, err := e.Plan(ctx, p)
	if err != nil {
		return err
	}
	if c.json {
		c.writeJSON(c.stdout, jsonPlan(pv))
		return nil
	}
	c.printf("Plan for environment %s (%s): %s\n", e.Env.Name, e.Env.URL, countSteps(len(pv.Plan.Steps)))
	for i, st := range pv.Plan.Steps {
		c.printf("\n%d. %s %s  -- %s", i+1, st.Action, stepLabel(st), st.Reason)
		if w := stepWhere(st); w != "" {
			c.printf(" (%s)", w)
		}
		c.printf("\n")
		switch st.Action {
		case plan.ActionApply, plan.ActionDeploy:
			c.printf("%s\n", indent(strings.TrimSpace(st.Node.SQL)))
		case plan.ActionDrop:
			c.printf("%s\n", indent(fmt.Sprintf("-- drop %s %s", st.Key.Type, st.Key.Name)))
		case plan.ActionData:
			if counts, ok := pv.DataCounts[i]; ok {
				c.printf("%s\n", indent("-- "+counts))
			} else {
				c.printf("%s\n", indent("-- load every row (the table is created by this deploy)"))
			}
		case plan.ActionRebaseline:
			c.printf("%s\n", indent("-- recorded without running; replaces "+strings.Join(st.Node.Change.Attrs.Rebaseline, ", ")))
		}
	}
	if len(pv.Plan.Deferred) > 0 {
		c.printf("\n")
		printDeferred(c, pv.Plan.Deferred)
	}
	printSkipped(c, p, e.Env.Name, e.Dialect.Name())
	printCallbacks(c, p)
	printRollbackCorrections(c, pv.Rollbacks)
	printProblems(c, pv.Plan.Problems)
	if len(pv.Plan.Problems) > 0 {
		c.code = exitProblems
	}
	return nil
}

// writing runs one of the engine's commands that write to the database and prints what it did,
// also when it stopped part way.
func writing(ctx context.Context, c *cli, what string, op func(*deploy.Engine, *tandem.Project) (*deploy.Result, error)) error {
	p, e, err := c.engine(ctx)
	if err != nil {
		return err
	}
	res, err := op(e, p)
	// A command that failed before its first step did nothing: saying the database is up to
	// date would be a lie, so only the error is printed.
	if res != nil && (err == nil || len(res.Steps) > 0) {
		printResult(c, what, res)
	}
	return err
}

// deployCmd is tandem deploy: its flags are deploy's options.
type deployCmd struct {
	opts       deploy.Options
	outOfOrder bool
}

func (d *deployCmd) flags(fs *pflag.FlagSet) {
	fs.StringVar(&d.opts.Tag, "tag", "", "name this run `T`, for rollback --to")
	fs.BoolVar(&d.outOfOrder, "out-of-order", false, "apply numbered migrations whose version is below the highest deployed (as out_of_order: true in tandem.yaml)")
	fs.BoolVar(&d.opts.Onboarding, "onboarding", false, "go on past failing changes: move each failing file into an exceptions/ folder beside it, skip what depends on it, deploy the rest (Obevo's onboarding mode)")
	changesetFlags(fs, &d.opts.Changesets, "deploy")
}

func (d *deployCmd) run(ctx context.Context, c *cli, _ []string) error {
	c.outOfOrder = d.outOfOrder
	if d.opts.Onboarding {
		return cmdDeployOnboarding(ctx, c, d.opts)
	}
	return writing(ctx, c, "deploy", func(e *deploy.Engine, p *tandem.Project) (*deploy.Result, error) {
		return e.Deploy(ctx, p, d.opts)
	})
}

// rollbackCmd is tandem rollback --to.
type rollbackCmd struct{ to string }

func (r *rollbackCmd) flags(fs *pflag.FlagSet) {
	fs.StringVar(&r.to, "to", "", "the run id or tag `RUN|TAG` to return to (0: before the first run)")
}

func (r *rollbackCmd) run(ctx context.Context, c *cli, _ []string) error {
	if r.to == "" {
		return usageError{"say where to: --to <run id or tag> (tandem history lists them; 0 rolls everything back)"}
	}
	return writing(ctx, c, "rollback", func(e *deploy.Engine, p *tandem.Project) (*deploy.Result, error) {
		return e.Rollback(ctx, p, r.to)
	})
}

func cmdBaseline(ctx context.Context, c *cli, _ []string) error {
	return writing(ctx, c, "baseline", func(e *deploy.Engine, p *tandem.Project) (*deploy.Result, error) { return e.Baseline(ctx, p) })
}

func cmdRebaseline(ctx context.Context, c *cli, _ []string) error {
	return writing(ctx, c, "rebaseline", func(e *deploy.Engine, p *tandem.Project) (*deploy.Result, error) { return e.Rebaseline(ctx, p) })
}

func cmdClean(ctx context.Context, c *cli, _ []string) error {
	return writing(ctx, c, "clean", func(e *deploy.Engine, p *tandem.Project) (*deploy.Result, error) { return e.Clean(ctx, p) })
}

// statusCmd is tandem status.
type statusCmd struct {
	exitCode   bool
	changesets plan.Changesets
}

func (sc *statusCmd) flags(fs *pflag.FlagSet) {
	fs.BoolVar(&sc.exitCode, "exit-code", false, "exit 3 when changes are pending, 4 when there are problems")
	changesetFlags(fs, &sc.changesets, "list as pending")
}

func (sc *statusCmd) run(ctx context.Context, c *cli, _ []string) error {
	p, e, err := c.engine(ctx)
	if err != nil {
		return err
	}
	e.Changesets = sc.changesets
	st, err := e.Status(ctx, p)
	if err != nil {
		return err
	}
	pl := st.Preview.Plan
	partial := 0
	for _, r := range st.Records {
		if r.Status == tandem.Partial {
			partial++
		}
	}
	if c.json {
		c.writeJSON(c.stdout, jsonStatus(st))
	} else {
		c.printf("Environment %s (%s)\n", e.Env.Name, e.Env.URL)
		c.printf("  deployed: %d changes", len(st.Records))
		if partial > 0 {
			c.printf(" (%d partly applied)", partial)
		}
		c.printf("\n  pending:  %s\n", countSteps(len(pl.Steps)))
		for _, s := range pl.Steps {
			c.printf("    %-10s %s  -- %s\n", s.Action, stepLabel(s), s.Reason)
		}
		if n := len(st.Runs); n > 0 {
			r := st.Runs[n-1]
			c.printf("  last run: %d %s %s at %s by %s\n", r.ID, r.Command, r.Status, r.Started.Local().Format("2006-01-02 15:04:05"), r.User)
		}
		printDeferred(c, pl.Deferred)
		printProblems(c, pl.Problems)
		if st.UpToDate() && len(pl.Deferred) > 0 {
			c.printf("Up to date, but for the deferred changes above.\n")
		} else if st.UpToDate() {
			c.printf("Up to date.\n")
		}
	}
	if sc.exitCode {
		switch {
		// A partly applied change is a problem (4) even when the next deploy can resume it,
		// as the README documents: the database is in a state no version of the project
		// describes.
		case len(pl.Problems) > 0 || partial > 0:
			c.code = exitProblems
		case len(pl.Steps) > 0:
			c.code = exitPending
		}
	}
	return nil
}

func cmdHistory(ctx context.Context, c *cli, _ []string) error {
	p, e, err := c.engine(ctx)
	if err != nil {
		return err
	}
	st, err := e.Status(ctx, p)
	if err != nil {
		return err
	}
	if c.json {
		c.writeJSON(c.stdout, jsonRuns(st.Runs))
		return nil
	}
	if len(st.Runs) == 0 {
		c.printf("No runs recorded in %s.\n", e.Env.URL)
	}
	for _, r := range st.Runs {
		tag := ""
		if r.Tag != "" {
			tag = " tag=" + r.Tag
		}
		c.printf("%4d  %-10s %-11s %s  %s@%s%s %s\n", r.ID, r.Command, r.Status, r.Started.Local().Format("2006-01-02 15:04:05"), r.User, r.Host, tag, firstLineOf(r.Detail))
	}
	return nil
}

// graphCmd is tandem graph [--explain OBJECT].
type graphCmd struct{ explain string }

func (gc *graphCmd) flags(fs *pflag.FlagSet) {
	fs.StringVar(&gc.explain, "explain", "", "list why each edge into and out of `OBJECT` exists")
}

func (gc *graphCmd) run(_ context.Context, c *cli, _ []string) error {
	p, err := c.loadProject()
	if err != nil {
		return err
	}
	env, u, err := c.environment(p)
	if err != nil {
		return err
	}
	g, err := plan.Build(p, plan.Options{Env: env, Dialect: u.Dialect})
	if err != nil {
		return err
	}
	if gc.explain == "" {
		if c.json {
			c.writeJSON(c.stdout, jsonGraph(g))
			return nil
		}
		return g.DOT(c.stdout)
	}
	edges, err := g.Explain(gc.explain)
	if err != nil {
		return err
	}
	if c.json {
		c.writeJSON(c.stdout, jsonEdges(edges))
		return nil
	}
	if len(edges) == 0 {
		c.printf("%s has no dependencies and nothing depends on it.\n", gc.explain)
	}
	for _, ed := range edges {
		c.printf("%s -> %s  (%s)\n", ed.From.Change.ID(), ed.To.Change.ID(), edgeReason(ed))
	}
	return nil
}
