package main

import (
	"strings"

	"github.com/tandem-db/tandem/plan"
)

// printRollbackCorrections says, in a plan, which deployed changes have a rollback the project
// has corrected since their deploy, with the diff: rollback runs the project's.
func printRollbackCorrections(c *cli, fixes []plan.RollbackCorrection) {
	for _, f := range fixes {
		c.printf("\nRollback corrected: %s (%s): a rollback runs the project's rollback, not the one recorded at deploy; tandem rebaseline records it\n", f.Node, f.Node.Change.File)
		c.printf("%s\n", indent(strings.TrimRight(f.Diff, "\n")))
	}
}
