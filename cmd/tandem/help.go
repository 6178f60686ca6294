package main

// helpTemplate is every command's help: what it does, then its usage.
const helpTemplate = `{{.Short | trimTrailingWhitespaces}}
{{with .Long}}
{{. | trimTrailingWhitespaces}}
{{end}}
{{.UsageString}}`

// usageTemplate lists a command's usage, subcommands and flags in the --flag style of pflag;
// the root's ends with the environment variables, completion and exit codes.
const usageTemplate = `Usage: {{if .HasParent}}{{.UseLine}}{{else}}tandem <command> [flags]{{end}}
{{- if .HasAvailableSubCommands}}

Commands:{{range .Commands}}{{if .IsAvailableCommand}}
  {{rpad .Use 34}} {{.Short}}{{end}}{{end}}{{end}}
{{- if .HasAvailableLocalFlags}}

Flags:
{{.LocalFlags.FlagUsages | trimTrailingWhitespaces}}{{end}}
{{- if .HasAvailableInheritedFlags}}

Flags every command takes (before or after its name):
{{.InheritedFlags.FlagUsages | trimTrailingWhitespaces}}{{end}}
{{- if not .HasParent}}
` + rootFooter + `{{end}}
`

// rootFooter ends "tandem help".
const rootFooter = `
Environment variables (a flag wins over its variable, a variable over tandem.yaml):
  TANDEM_PROJECT      the project folder (--project)
  TANDEM_ENV          the environment (--env)
  TANDEM_URL          the database URL (--url), in place of the environment's URL in tandem.yaml
  DATABASE_URL        the database URL when there is no --url, no TANDEM_URL and the environment
                      in tandem.yaml has no URL
  TANDEM_APP_VERSION  the application version recorded in history (--app-version)
A URL is printed with its password replaced, wherever it comes from.
With no URL at all, tandem deploys to an SQLite file in the project: .tandem/ENV.db
(.tandem/default.db when tandem.yaml has no environment).

tandem move SUB NAME drives the online table move in moves/NAME.yaml: "tandem move --help" lists
the SUBs, "tandem help move SUB" prints the flags of one.

Shell completion: "tandem completion bash|zsh|fish|powershell" prints the script to load,
e.g. source <(tandem completion bash) in ~/.bashrc ("tandem help completion bash" says more).

Exit codes: 0 ok, 1 error, 2 bad command line, 3 pending changes (status --exit-code),
4 edited/deleted/partly applied/out-of-order changes or a change file that cannot run,
5 another deploy holds the lock.`
