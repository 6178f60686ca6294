package main

import (
	"os"

	"github.com/spf13/cobra"

	"github.com/tandem-db/tandem/project"
)

// completeGlobalFlags completes --project with folders and --env with the environments of
// the project's tandem.yaml.
func (c *cli) completeGlobalFlags(root *cobra.Command) {
	_ = root.MarkPersistentFlagDirname("project")
	_ = root.RegisterFlagCompletionFunc("env", func(cmd *cobra.Command, _ []string, _ string) ([]string, cobra.ShellCompDirective) {
		c.bindEnv(cmd)
		p, err := project.Load(os.DirFS(c.projectDir), project.Options{})
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var names []string
		for _, e := range p.Config.Environments {
			names = append(names, e.Name)
		}
		return names, cobra.ShellCompDirectiveNoFileComp
	})
	_ = root.RegisterFlagCompletionFunc("url", cobra.NoFileCompletions)
}

// completeMoveName completes a move subcommand's NAME with the moves of the project
// (moves/NAME.yaml), broken ones included: rollback must be reachable for them too.
func (c *cli) completeMoveName(cmd *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	c.bindEnv(cmd)
	cat, err := project.LoadMoves(project.Confine(os.DirFS(c.projectDir)))
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	return cat.Names(), cobra.ShellCompDirectiveNoFileComp
}
