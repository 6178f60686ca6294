package main

import (
	"os"

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
