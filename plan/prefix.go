package plan

import (
	"crypto/sha256"
	"encoding/hex"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/internal/sqllex"
)

// HashStatements identifies a list of statements, ignoring comments and whitespace. The deploy
// engine records it for the statements of a change that have run (Record.DoneHash), so that a
// partly applied change resumes only when what already ran is unchanged.
func HashStatements(stmts []string, dialect string) string {
	f := sqllex.FlavorOf(dialect)
	h := sha256.New()
	for _, s := range stmts {
		h.Write([]byte(sqllex.Normalize(s, f)))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// SplitOptions are the lexer options for a node's SQL: the dialect's rules, and GO separators for
// Obevo files.
func SplitOptions(o *tandem.Object, dialect string) sqllex.Options {
	return sqllex.Options{Flavor: sqllex.FlavorOf(dialect), GoBatches: o.Format == tandem.FormatObevo}
}

// resumable reports whether the first done statements of n are those recorded as run.
func resumable(n *Node, r *tandem.Record, dialect string) bool {
	stmts, err := sqllex.Split(n.SQL, SplitOptions(n.Object, dialect))
	if err != nil || r.Done > len(stmts) {
		return false
	}
	texts := make([]string, r.Done)
	for i := range texts {
		texts[i] = stmts[i].Text
	}
	return HashStatements(texts, dialect) == r.DoneHash
}
