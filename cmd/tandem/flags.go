package main

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/tandem-db/tandem"
)

// The environment variables tandem reads. A flag wins over its variable, a variable over
// tandem.yaml.
const (
	envProject    = "TANDEM_PROJECT"     // --project
	envEnv        = "TANDEM_ENV"         // --env
	envURL        = "TANDEM_URL"         // --url
	envDatabase   = "DATABASE_URL"       // the URL when neither --url, $TANDEM_URL nor the environment gives one
	envAppVersion = "TANDEM_APP_VERSION" // --app-version
)

// globalFlags defines the flags every command takes (before or after the command's name).
// Their defaults from the environment are applied by bindEnv, after parsing, so that help
// never prints a variable's value (a URL's password).
func (c *cli) globalFlags(fs *pflag.FlagSet) {
	fs.StringVar(&c.projectDir, "project", "", "the project folder `DIR`, or a bare folder of numbered migrations (default: $"+envProject+", else .)")
	fs.StringVar(&c.envName, "env", "", "the environment `NAME` in tandem.yaml (default: $"+envEnv+", else the first one)")
	fs.StringVar(&c.url, "url", "", "the database `URL`, overriding the environment's: postgres://..., mysql://..., sqlite://path (default: $"+envURL+"; see Environment variables)")
	fs.BoolVar(&c.json, "json", false, "print a JSON document for machines instead of text for people")
	fs.BoolVarP(&c.verbose, "verbose", "v", false, "log every step")
	fs.DurationVar(&c.lockWait, "lock-wait", tandem.DefaultLockWait, "how long to wait for another deploy's lock")
	fs.DurationVar(&c.lockTimeout, "lock-timeout", 0, "how long each statement may wait for a table lock before it is retried (default 5s)")
	fs.StringVar(&c.appVersion, "app-version", "", "the application version `V` recorded in history (default: $"+envAppVersion+")")
}

// commandFlags defines the flags of one command (tandem move's are moveFlags).
func (c *cli) commandFlags(name string, fs *pflag.FlagSet) {
	switch name {
	case "deploy":
		fs.StringVar(&c.tag, "tag", "", "name this run `T`, for rollback --to")
		fs.BoolVar(&c.outOfOrder, "out-of-order", false, "apply numbered migrations whose version is below the highest deployed (as out_of_order: true in tandem.yaml)")
		fs.BoolVar(&c.onboarding, "onboarding", false, "go on past failing changes: move each failing file into an exceptions/ folder beside it, skip what depends on it, deploy the rest (Obevo's onboarding mode)")
		c.changesetFlags(fs, "deploy")
	case "plan":
		fs.BoolVar(&c.outOfOrder, "out-of-order", false, "plan numbered migrations whose version is below the highest deployed (as out_of_order: true in tandem.yaml)")
		fs.StringVar(&c.rollbackTo, "rollback-to", "", "show the steps and SQL that rollback --to `RUN|TAG` would run, instead of the deploy's")
		c.changesetFlags(fs, "plan")
	case "rollback":
		fs.StringVar(&c.to, "to", "", "the run id or tag `RUN|TAG` to return to (0: before the first run)")
	case "status":
		fs.BoolVar(&c.exitCode, "exit-code", false, "exit 3 when changes are pending, 4 when there are problems")
		c.changesetFlags(fs, "list as pending")
	case "graph":
		fs.StringVar(&c.explain, "explain", "", "list why each edge into and out of `OBJECT` exists")
	}
}

// moveFlag is a flag of tandem move subcommands.
type moveFlag struct {
	name string
	subs []string // the subcommands it applies to; nil: every one
	// checked: checkMoveFlags refuses the flag on the other subcommands, with its own message
	checked bool
	define  func(fs *pflag.FlagSet, c *cli)
}

var moveFlags = []moveFlag{
	{"force", []string{"advance"}, true, func(fs *pflag.FlagSet, c *cli) {
		fs.BoolVar(&c.force, "force", false, "pass a gate that is not met (needs --reason)")
	}},
	{"reason", []string{"advance", "rollback"}, true, func(fs *pflag.FlagSet, c *cli) {
		fs.StringVar(&c.reason, "reason", "", "the reason `R`, recorded in the audit log")
	}},
	{"confirm", []string{"advance"}, true, func(fs *pflag.FlagSet, c *cli) {
		fs.BoolVar(&c.confirm, "confirm", false, "enter complete, which cannot be undone")
	}},
	// Phase changes (start, advance, rollback) wait for acknowledgements; every subcommand takes
	// the two flags, as scripts pass them to all.
	{"ack-timeout", nil, false, func(fs *pflag.FlagSet, c *cli) {
		fs.DurationVar(&c.ackTimeout, "ack-timeout", 2*time.Minute, "how long to wait for every instance to acknowledge a phase")
	}},
	{"grace", nil, false, func(fs *pflag.FlagSet, c *cli) {
		fs.DurationVar(&c.grace, "grace", 5*time.Second, "wait after the last acknowledgement, for requests under the old switches (0: none)")
	}},
	{"metrics", []string{"backfill"}, true, func(fs *pflag.FlagSet, c *cli) {
		fs.StringVar(&c.metricsAddr, "metrics", "", "serve Prometheus metrics at http://ADDR/metrics while it runs (`ADDR`: host:port)")
	}},
	{"progress-every", []string{"backfill"}, false, func(fs *pflag.FlagSet, c *cli) {
		fs.DurationVar(&c.progressEvery, "progress-every", defaultProgressEvery, "the least time between two progress lines in a log or with --json (0: after every batch)")
	}},
	{"workers", []string{"backfill"}, true, func(fs *pflag.FlagSet, c *cli) {
		fs.IntVar(&c.workers, "workers", 0, "how many parts of the backfill this process copies at once, 1 to 64 (default: the move's batch.workers, else 1)")
	}},
	{"share", []string{"backfill"}, true, func(fs *pflag.FlagSet, c *cli) {
		fs.BoolVar(&c.share, "share", false, "lease parts through the switch store, so that backfills started on several hosts share the work")
	}},
	{"lease-ttl", []string{"backfill"}, false, func(fs *pflag.FlagSet, c *cli) {
		fs.DurationVar(&c.leaseTTL, "lease-ttl", 30*time.Second, "with --share: how long a part stays leased to a process that stopped renewing it")
	}},
	{"batch-size", []string{"tune"}, true, func(fs *pflag.FlagSet, c *cli) {
		fs.IntVar(&c.batchSize, "batch-size", 0, "the batch size in rows `N` (it adapts to the target from there)")
	}},
	{"target", []string{"tune"}, true, func(fs *pflag.FlagSet, c *cli) {
		fs.DurationVar(&c.batchTarget, "target", 0, "the batch time the size adapts to")
	}},
	{"max-rows", []string{"tune"}, true, func(fs *pflag.FlagSet, c *cli) {
		fs.IntVar(&c.maxRows, "max-rows", 0, "the most rows `N` copied per second, over all workers")
	}},
}

func (f moveFlag) appliesTo(sub string) bool { return f.subs == nil || slices.Contains(f.subs, sub) }

// defineMoveFlags gives a move subcommand every move flag. Those that do not apply to it are
// hidden (its help lists only its own) but still parsed, so that the command can say which
// subcommand a misplaced flag belongs to instead of only "unknown flag".
func (c *cli) defineMoveFlags(sub string, fs *pflag.FlagSet) {
	for _, f := range moveFlags {
		f.define(fs, c)
		if !f.appliesTo(sub) {
			_ = fs.MarkHidden(f.name)
		}
	}
}

// checkMisplacedMoveFlags refuses a move flag given to a subcommand it does not apply to, for
// the flags checkMoveFlags does not check itself.
func checkMisplacedMoveFlags(sub string, fs *pflag.FlagSet) error {
	for _, f := range moveFlags {
		if f.checked || !fs.Changed(f.name) || f.appliesTo(sub) {
			continue
		}
		subs := f.subs
		list := subs[0]
		if n := len(subs); n > 1 {
			list = strings.Join(subs[:n-1], ", ") + " and " + subs[n-1]
		}
		return usageError{fmt.Sprintf("--%s only applies to tandem move %s", f.name, list)}
	}
	return nil
}

// bindEnv applies the environment variables to the flags not given, after parsing.
func (c *cli) bindEnv(cmd *cobra.Command) {
	fs := cmd.Flags()
	if !fs.Changed("project") {
		c.projectDir = "."
		if v := os.Getenv(envProject); v != "" {
			c.projectDir = v
		}
	}
	if !fs.Changed("env") {
		if v := os.Getenv(envEnv); v != "" {
			c.envName, c.envFrom = v, "$"+envEnv
		}
	}
	if !fs.Changed("app-version") {
		c.appVersion = os.Getenv(envAppVersion)
	}
	c.workersSet = fs.Changed("workers")
}

// urlOf picks the database URL: --url, else $TANDEM_URL, else the environment's URL in
// tandem.yaml, else $DATABASE_URL (else none: the SQLite file in the project). from names the
// variable the URL came from, "" for --url and tandem.yaml.
func urlOf(flag, configured string) (raw, from string) {
	switch {
	case flag != "":
		return flag, ""
	case os.Getenv(envURL) != "":
		return os.Getenv(envURL), "$" + envURL
	case configured == "" && os.Getenv(envDatabase) != "":
		return os.Getenv(envDatabase), "$" + envDatabase
	}
	return configured, ""
}
