package deploy

import "github.com/tandem-db/tandem/plan"

// checkSQL splits the SQL of every step that runs a change file before a deploy runs anything,
// so that a file tandem cannot run (an unterminated quote or COPY data block, a psql
// meta-command, a ROLLBACK) is reported with its file:line while nothing is applied yet, rather
// than after the changes before it.
func (s *session) checkSQL(steps []plan.Step) error {
	for _, st := range steps {
		n := st.Node
		if n == nil || isCSVData(st) {
			continue
		}
		switch st.Action {
		case plan.ActionApply, plan.ActionDeploy, plan.ActionData:
			if _, err := s.split(n, n.SQL, n.Change.SQLLine); err != nil {
				return withStep(err, st)
			}
		}
	}
	return nil
}
