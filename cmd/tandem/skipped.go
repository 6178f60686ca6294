package main

import (
	"strings"

	"github.com/tandem-db/tandem"
)

// printSkipped lists the Liquibase changesets that a context or dbms filter leaves out of this
// environment and database, so that a plan shows them instead of silently leaving them out.
func printSkipped(c *cli, p *tandem.Project, env, dialect string) {
	var lines []string
	for _, o := range p.Objects {
		if o.Format != tandem.FormatLiquibase {
			continue
		}
		for _, ch := range o.Changes {
			a := ch.Attrs
			if a.Applies(env, dialect) || a.Inactive {
				continue
			}
			var why []string
			if len(a.IncludeEnvs) > 0 {
				why = append(why, "context "+strings.Join(a.IncludeEnvs, ","))
			}
			if len(a.ExcludeEnvs) > 0 {
				why = append(why, "context !"+strings.Join(a.ExcludeEnvs, ",!"))
			}
			if len(a.IncludeDialects) > 0 {
				why = append(why, "dbms "+strings.Join(a.IncludeDialects, ","))
			}
			if len(a.ExcludeDialects) > 0 {
				why = append(why, "dbms !"+strings.Join(a.ExcludeDialects, ",!"))
			}
			lines = append(lines, "  "+ch.ID()+" ("+ch.Where()+"): "+strings.Join(why, "; "))
		}
	}
	if len(lines) == 0 {
		return
	}
	c.printf("\nNot run in environment %s on %s (Liquibase context or dbms):\n%s\n", env, dialect, strings.Join(lines, "\n"))
}

// printCallbacks lists the Flyway callbacks a deploy runs, which a plan's steps do not show:
// beforeMigrate and afterMigrate run even when there is nothing to deploy.
func printCallbacks(c *cli, p *tandem.Project) {
	if len(p.Callbacks) == 0 {
		return
	}
	c.printf("\nCallbacks deploy runs:\n")
	for _, cb := range p.Callbacks {
		c.printf("  %-18s %s\n", cb.Event, cb.File)
	}
}
