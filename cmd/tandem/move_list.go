package main

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/deploy"
	"github.com/tandem-db/tandem/project"
)

// listed is one move of the listing: its state, or its problems.
type listed struct {
	name, file string
	from, to   string
	broken     bool // the file does not parse
	state      *tandem.MoveState
	problems   []*project.FileError
}

// moveList lists every move of the project with its phase, and every problem: a definition
// that does not parse, a move whose databases or store cannot be read. Something wrong makes
// the exit code 1. With usage (bare "tandem move") the subcommands follow the text listing.
func moveList(ctx context.Context, c *cli, usage bool) error {
	p, e, err := c.engine(ctx)
	if err != nil {
		return err
	}
	cat := &p.Moves // project.Load read them with the project
	var all []listed
	for _, b := range cat.Broken {
		all = append(all, listed{name: b.Name, file: b.File, broken: true, problems: project.MoveProblems(b)})
	}
	for _, def := range cat.Defs {
		all = append(all, c.listOne(ctx, p, e, def))
	}
	sort.Slice(all, func(i, j int) bool { return all[i].name < all[j].name })
	bad := 0
	for _, l := range all {
		if len(l.problems) > 0 {
			bad++
		}
	}
	if bad > 0 {
		c.code = exitError
	}
	if c.json {
		doc := &jsonMoveList{OK: bad == 0, Moves: []jsonListedMove{}}
		for _, l := range all {
			j := jsonListedMove{Move: l.name, File: l.file, OK: len(l.problems) == 0, Problems: toJSONDefinitionProblems(l.problems)}
			if l.state != nil {
				st := toJSONMoveState(*l.state)
				j.jsonMoveState, j.From, j.To = &st, l.from, l.to
			}
			doc.Moves = append(doc.Moves, j)
		}
		c.writeJSON(c.stdout, doc)
		return nil
	}
	if len(all) == 0 {
		c.printf("the project has no moves (a move is a file moves/NAME.yaml in %s)\n", c.projectDir)
	}
	nameW, phaseW := 0, 0
	for _, l := range all {
		nameW = max(nameW, len(l.name))
		if l.state != nil {
			phaseW = max(phaseW, len(l.state.Phase))
		}
	}
	for _, l := range all {
		line := fmt.Sprintf("%-*s  ", nameW, l.name)
		switch {
		case l.state != nil:
			paused := ""
			if l.state.Paused {
				paused = ", paused"
			}
			line += fmt.Sprintf("%-*s  (switches %s%s)  %s -> %s", phaseW, l.state.Phase, l.state.Switches, paused, l.from, l.to)
		case l.broken:
			line += "broken"
		default:
			line += "unreadable"
		}
		c.printf("%s\n", strings.TrimRight(line, " "))
		for _, p := range l.problems {
			c.printf("  %s\n", where(p))
		}
	}
	if bad > 0 {
		verb := "have"
		if bad == 1 {
			verb = "has"
		}
		c.printf("%d of %d moves %s problems\n", bad, len(all), verb)
	}
	if usage {
		c.printf("\n%s\n", moveUsage())
	}
	return nil
}

// listOne opens one move and reads its state; what fails is its problem.
func (c *cli) listOne(ctx context.Context, p *tandem.Project, e *deploy.Engine, def *tandem.MoveDefinition) listed {
	l := listed{name: def.Name, file: def.File, from: def.From.String(), to: def.To.String()}
	problem := func(err error) listed {
		// The error says which move and file (and line) it is about.
		l.problems = append(l.problems, &project.FileError{Err: errors.New(c.scrub(err.Error()))})
		return l
	}
	mv, err := c.openDefinition(ctx, p, e, def)
	if err != nil {
		return problem(err)
	}
	defer mv.close()
	st, err := mv.coord.State(ctx)
	if err != nil {
		return problem(err)
	}
	l.state = &st
	return l
}
