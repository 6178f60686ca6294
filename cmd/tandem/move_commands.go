package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/move/coord"
)

// moveBody is the body of a tandem move subcommand that acts on one move: its own flags,
// bound into the options it passes to the library, a check of their values (fs: the parsed
// flags) before the move is opened, and the run.
type moveBody interface {
	flags(fs *pflag.FlagSet)
	check(fs *pflag.FlagSet) error
	run(ctx context.Context, c *cli, mv *openedMove) error
}

// moveSub is one "tandem move" subcommand.
type moveSub struct {
	name, summary string
	newBody       func() moveBody
}

// moveSubcommands lists the subcommands that act on one move, in the order help lists them.
func moveSubcommands() []moveSub {
	return []moveSub{
		{"check", "run the pre-flight check (columns, key, mapping types, unique keys, rows of A that B would refuse)", bodyOf(moveCheck)},
		{"start", "enter dual-write from pending (the check must pass)", bodyOf(moveStart)},
		{"advance", "enter the next phase once its gate is met [--force --reason R] [--confirm]", func() moveBody { return &advanceCmd{} }},
		{"rollback", "return to the previous safe phase [--reason R]", func() moveBody { return &moveRollbackCmd{} }},
		{"backfill", "copy A's rows up to the bound into B (backfill phase; resumable)", func() moveBody { return &backfillCmd{} }},
		{"verify", "compare B with mapping(A) and list the rows that differ", bodyOf(moveVerify)},
		{"repair", "re-copy from A the rows verify lists", bodyOf(moveRepair)},
		{"tune", "change a running backfill's --batch-size, --target or --max-rows", func() moveBody { return &tuneCmd{} }},
		{"pause", "pause a running backfill between batches", bodyOf(movePause)},
		{"resume", "let a paused backfill go on", bodyOf(moveResume)},
		{"status", "show the phase, switches, acknowledgements and backfill checkpoint", bodyOf(moveStatus)},
	}
}

// moveFunc is the body of a subcommand without flags of its own.
type moveFunc func(ctx context.Context, c *cli, mv *openedMove) error

func (moveFunc) flags(*pflag.FlagSet)       {}
func (moveFunc) check(*pflag.FlagSet) error { return nil }

func (f moveFunc) run(ctx context.Context, c *cli, mv *openedMove) error { return f(ctx, c, mv) }

// bodyOf makes the body of a subcommand without flags of its own.
func bodyOf(f moveFunc) func() moveBody { return func() moveBody { return f } }

// phaseWaits are the coordinator's waits for acknowledgements. Phase changes (start, advance,
// rollback) use them; every subcommand takes the two flags, as scripts pass them to all.
type phaseWaits struct {
	ackTimeout, grace time.Duration
}

func (w *phaseWaits) flags(fs *pflag.FlagSet) {
	fs.DurationVar(&w.ackTimeout, "ack-timeout", 2*time.Minute, "how long to wait for every instance to acknowledge a phase")
	fs.DurationVar(&w.grace, "grace", 5*time.Second, "wait after the last acknowledgement, for requests under the old switches (0: none)")
}

// apply sets the waits on the coordinator.
func (w *phaseWaits) apply(d *coord.Driver) {
	d.AckTimeout, d.Grace = w.ackTimeout, w.grace
	if w.grace == 0 {
		d.Grace = -1 // the coordinator reads 0 as its default; on the command line 0 means none
	}
}

// advanceCmd is tandem move advance: its flags are the coordinator's advance options.
type advanceCmd struct{ opts coord.AdvanceOptions }

func (a *advanceCmd) flags(fs *pflag.FlagSet) {
	fs.BoolVar(&a.opts.Force, "force", false, "pass a gate that is not met (needs --reason)")
	fs.StringVar(&a.opts.Reason, "reason", "", "the reason `R`, recorded in the audit log")
	fs.BoolVar(&a.opts.Confirm, "confirm", false, "enter complete, which cannot be undone")
}

func (a *advanceCmd) check(*pflag.FlagSet) error {
	if a.opts.Force && strings.TrimSpace(a.opts.Reason) == "" {
		return usageError{"--force needs --reason R: why the gate may be passed, recorded in the audit log"}
	}
	return nil
}

func (a *advanceCmd) run(ctx context.Context, c *cli, mv *openedMove) error {
	return moveAdvance(ctx, c, mv, a.opts)
}

// moveRollbackCmd is tandem move rollback.
type moveRollbackCmd struct{ reason string }

func (r *moveRollbackCmd) flags(fs *pflag.FlagSet) {
	fs.StringVar(&r.reason, "reason", "", "the reason `R`, recorded in the audit log")
}

func (r *moveRollbackCmd) check(*pflag.FlagSet) error { return nil }

func (r *moveRollbackCmd) run(ctx context.Context, c *cli, mv *openedMove) error {
	st, err := mv.coord.Rollback(ctx, r.reason)
	if err != nil {
		return moveErr(err)
	}
	phaseDone(c, "rolled back", st)
	return nil
}

// backfillCmd is tandem move backfill: its flags are the coordinator's backfill options, and
// how its progress is shown.
type backfillCmd struct {
	opts          coord.BackfillOptions
	metricsAddr   string        // serve Prometheus metrics here
	progressEvery time.Duration // least time between two progress log lines
}

func (b *backfillCmd) flags(fs *pflag.FlagSet) {
	fs.StringVar(&b.metricsAddr, "metrics", "", "serve Prometheus metrics at http://ADDR/metrics while it runs (`ADDR`: host:port)")
	fs.DurationVar(&b.progressEvery, "progress-every", defaultProgressEvery, "the least time between two progress lines in a log or with --json (0: after every batch)")
	fs.IntVar(&b.opts.Workers, "workers", 0, "how many parts of the backfill this process copies at once, 1 to 64 (default: the move's batch.workers, else 1)")
	fs.BoolVar(&b.opts.Share, "share", false, "lease parts through the switch store, so that backfills started on several hosts share the work")
	fs.DurationVar(&b.opts.LeaseTTL, "lease-ttl", 30*time.Second, "with --share: how long a part stays leased to a process that stopped renewing it")
}

func (b *backfillCmd) check(fs *pflag.FlagSet) error {
	if w := b.opts.Workers; fs.Changed("workers") && (w < 1 || w > 64) {
		return usageError{fmt.Sprintf("--workers %d: write 1 to 64", w)}
	}
	return nil
}

func (b *backfillCmd) run(ctx context.Context, c *cli, mv *openedMove) error {
	mv.coord.BackfillOptions = b.opts
	return moveBackfill(ctx, c, mv, b.metricsAddr, b.progressEvery)
}

// tuneCmd is tandem move tune: its flags are the batch settings it stores.
type tuneCmd struct{ settings tandem.MoveBatchSettings }

func (t *tuneCmd) flags(fs *pflag.FlagSet) {
	fs.IntVar(&t.settings.Size, "batch-size", 0, "the batch size in rows `N` (it adapts to the target from there)")
	fs.DurationVar(&t.settings.Target, "target", 0, "the batch time the size adapts to")
	fs.IntVar(&t.settings.MaxRows, "max-rows", 0, "the most rows `N` copied per second, over all workers")
}

func (t *tuneCmd) check(*pflag.FlagSet) error {
	if t.settings == (tandem.MoveBatchSettings{}) {
		return usageError{"say what to change: tandem move tune NAME --batch-size N, --target 250ms or --max-rows N"}
	}
	return nil
}

func (t *tuneCmd) run(ctx context.Context, c *cli, mv *openedMove) error {
	return moveTune(ctx, c, mv, t.settings)
}

// moveCommand builds tandem move and its subcommands.
func (c *cli) moveCommand(ctx context.Context, spec command) *cobra.Command {
	mv := &cobra.Command{
		Use:   "move [SUB NAME]",
		Short: spec.summary,
		Long: "tandem move SUB NAME drives the move in moves/NAME.yaml; tandem move (or move list) lists every move\n" +
			"with its phase and problems. backfill shows a progress bar when stderr is a terminal, log lines\n" +
			"otherwise (JSON with --json).",
		// Arguments that are not a subcommand reach cmdMove: "help", or an unknown name it refuses.
		Args: spec.positional,
		RunE: func(cmd *cobra.Command, args []string) error {
			c.start(cmd)
			c.err = cmdMove(ctx, c, args)
			return nil
		},
	}
	for _, s := range moveSubcommands() {
		mv.AddCommand(c.moveSubcommand(ctx, s))
	}
	list := &cobra.Command{
		Use:   "list",
		Short: "list every move with its phase and its problems (also tandem move, or move status without NAME)",
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageError{fmt.Sprintf("list takes no name (tandem move status %s shows one move)", args[0])}
			}
			return nil
		},
		ValidArgsFunction: cobra.NoFileCompletions,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c.start(cmd)
			c.err = moveList(ctx, c, false)
			return nil
		},
	}
	new(phaseWaits).flags(list.Flags()) // taken and unused, as by every subcommand
	list.SetFlagErrorFunc(misplacedMoveFlag)
	mv.AddCommand(list)
	return mv
}

// moveSubcommand builds the subcommand s: tandem move s NAME (status without NAME lists the
// moves).
func (c *cli) moveSubcommand(ctx context.Context, s moveSub) *cobra.Command {
	body, waits := s.newBody(), &phaseWaits{}
	sub := &cobra.Command{
		Use:               s.name + " NAME",
		Short:             s.summary,
		Args:              moveNameArg(s.name),
		ValidArgsFunction: c.completeMoveName,
		RunE: func(cmd *cobra.Command, args []string) error {
			c.start(cmd)
			if err := body.check(cmd.Flags()); err != nil {
				c.err = err
				return nil
			}
			if len(args) == 0 { // status without NAME
				c.err = moveList(ctx, c, false)
				return nil
			}
			mv, err := c.openMove(ctx, args[0])
			if err != nil {
				c.err = err
				return nil
			}
			defer mv.close()
			waits.apply(mv.coord)
			c.err = body.run(ctx, c, mv)
			return nil
		},
	}
	if s.name == "status" {
		sub.Use, sub.Args = "status [NAME]", maxArgs(1)
	}
	body.flags(sub.Flags())
	waits.flags(sub.Flags())
	sub.SetFlagErrorFunc(misplacedMoveFlag)
	return sub
}

// moveNameArg requires the one argument of tandem move sub: the move's name.
func moveNameArg(sub string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) == 0 {
			return usageError{fmt.Sprintf("name the move: tandem move %s NAME (a file moves/NAME.yaml in the project)", sub)}
		}
		return maxArgs(1)(cmd, args)
	}
}

// flagGroups are flags that a misplaced-flag message names together, with what it adds.
var flagGroups = []struct {
	names []string
	note  string
}{
	{[]string{"workers", "share"}, ""},
	{[]string{"batch-size", "target", "max-rows"}, " (set batch: in the move's definition for every run)"},
}

// misplacedMoveFlag turns cobra's refusal of a flag that a move subcommand does not have into
// a message naming the subcommands that have it.
func misplacedMoveFlag(cmd *cobra.Command, err error) error {
	name, ok := strings.CutPrefix(err.Error(), "unknown flag: --")
	if !ok || !cmd.HasParent() {
		return err
	}
	var owners []string
	for _, sib := range cmd.Parent().Commands() {
		if sib.NonInheritedFlags().Lookup(name) != nil {
			owners = append(owners, sib.Name())
		}
	}
	if len(owners) == 0 {
		return err
	}
	names, note := []string{name}, ""
	for _, g := range flagGroups {
		if slices.Contains(g.names, name) {
			names, note = slices.Clone(g.names), g.note
		}
	}
	for i := range names {
		names[i] = "--" + names[i]
	}
	verb := "applies"
	if len(names) > 1 {
		verb = "apply"
	}
	return usageError{fmt.Sprintf("%s only %s to tandem move %s%s", andList(names), verb, andList(owners), note)}
}

// andList joins "a", "a and b", "a, b and c".
func andList(items []string) string {
	if n := len(items); n > 1 {
		return strings.Join(items[:n-1], ", ") + " and " + items[n-1]
	}
	return strings.Join(items, "")
}
