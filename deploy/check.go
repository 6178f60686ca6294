package deploy

import (
	"errors"
	"strconv"
	"strings"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/internal/sqllex"
	"github.com/tandem-db/tandem/plan"
)

// sqlProblems splits the SQL of every step that runs a change file, as a deploy would, and
// returns a ProblemCannotRun for each file tandem would refuse to run (an unterminated quote or
// COPY data block, a psql meta-command it does not accept, a ROLLBACK, a COPY data block the
// dialect cannot stream), at its file:line. Plan and status show them with the history's
// problems, and a deploy refuses to run anything while there are any, rather than failing at
// the file after the changes before it.
func (s *session) sqlProblems(steps []plan.Step) []plan.Problem {
	var out []plan.Problem
	for _, st := range steps {
		n := st.Node
		if n == nil || isCSVData(st) {
			continue
		}
		switch st.Action {
		case plan.ActionApply, plan.ActionDeploy, plan.ActionData:
		default:
			continue
		}
		pr := plan.Problem{Kind: plan.ProblemCannotRun, Key: n.Object.Key, Change: n.Change.Name, File: n.Change.File, Line: n.Change.Line}
		if _, ok := s.e.Dialect.(tandem.CopyRunner); !ok {
			if line := copyLine(n); line > 0 {
				pr.Line = n.Change.SQLLine + line - 1
				pr.Reason = "a COPY ... FROM stdin data block needs PostgreSQL; " + s.e.Dialect.Name() + " cannot stream it"
				pr.Hint = "load the rows with INSERT statements"
				out = append(out, pr)
				continue
			}
		}
		stmts, err := s.split(n, n.SQL, n.Change.SQLLine)
		if err == nil {
			if line, reason := clientCommand(stmts, s.e.Dialect.Name()); line > 0 {
				pr.Line, pr.Reason = line, reason
				pr.Hint = "remove the line, or do what it does in SQL: a deploy runs nothing until it is"
				out = append(out, pr)
			}
			continue
		}
		pr.Reason = err.Error()
		var se *StepError
		if errors.As(err, &se) {
			pr.Reason = se.Err.Error()
			if se.Line > 0 {
				pr.Line = se.Line
			}
		}
		pr.Hint = "correct the file: a deploy runs nothing until it is"
		out = append(out, pr)
	}
	return out
}

// copyLine returns the line, in the change's SQL, of its first COPY ... FROM stdin with a data
// block, read as psql reads it, or 0. On a dialect that cannot stream COPY data, its own
// lexer would take the data rows for SQL, which fails far from the COPY if at all.
func copyLine(n *plan.Node) int {
	parts, err := sqllex.Split(n.SQL, plan.SplitOptions(n.Object, "postgres"))
	if err != nil {
		return 0 // not a psql script: the dialect's own reading of it decides
	}
	for _, p := range parts {
		if p.Data != nil {
			return p.Line
		}
	}
	return 0
}

// clientCommand finds the first statement that is a command of an interactive client, not SQL,
// and returns its line and what it is, or 0: on MySQL and SQLite, whose lexers leave psql's and
// mysql's backslash commands (\connect, \G) and the sqlite3 shell's dot-commands (.read,
// .mode) to the server, which no statement of either begins with. (PostgreSQL's lexer reads
// psql's meta-commands itself; see sqllex.) Sent, they would fail at the server as syntax
// errors after the changes before them had run.
func clientCommand(stmts []statement, dialect string) (int, string) {
	if dialect == "postgres" {
		return 0, ""
	}
	for _, st := range stmts {
		text := strings.TrimSpace(st.text)
		switch {
		case strings.HasPrefix(text, `\`):
			cmd, _, _ := strings.Cut(text, "\n")
			return st.line, "client command " + strconv.Quote(strings.TrimSpace(cmd)) + " is not SQL; tandem runs SQL only and sends nothing of psql's or mysql's commands to " + dialect
		case dialect == "sqlite" && strings.HasPrefix(text, ".") && len(text) > 1 && text[1] >= 'a' && text[1] <= 'z':
			cmd, _, _ := strings.Cut(text, "\n")
			return st.line, "sqlite3 shell command " + strconv.Quote(strings.TrimSpace(cmd)) + " is not SQL; tandem runs SQL only"
		}
	}
	return 0, ""
}
