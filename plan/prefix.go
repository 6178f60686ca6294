package plan

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"

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

// CopyDataHashText is what HashStatements is given, after a COPY ... FROM STDIN statement, for
// its data rows: a pseudo-statement naming their digest, so that a partly applied change whose
// copied rows were edited since is not resumed as though what ran were unchanged. (A COPY runs
// statement by statement, and so can be part of a partial change, in a change that commits in
// its middle or holds a statement that works only outside a transaction.)
func CopyDataHashText(rows string) string {
	sum := sha256.Sum256([]byte(rows))
	return "COPY DATA " + hex.EncodeToString(sum[:])
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
	texts := make([]string, 0, r.Done)
	for _, st := range stmts[:r.Done] {
		texts = append(texts, st.Text)
		if st.Data != nil {
			texts = append(texts, CopyDataHashText(st.Data.Rows))
		}
	}
	done, _ := SplitDoneHash(r.DoneHash)
	return HashStatements(texts, dialect) == done
}

// pendingSep separates, in Record.DoneHash, the hash of the statements done from the schema
// fingerprint taken before the next statement, which commits on its own, was started.
const pendingSep = ";pending="

// JoinDoneHash records that the statement after those hashed by done was started when the
// schema's fingerprint was pending (see SplitDoneHash).
func JoinDoneHash(done, pending string) string {
	if pending == "" {
		return done
	}
	return done + pendingSep + pending
}

// SplitDoneHash splits a Record.DoneHash into the hash of the statements known to be done and,
// when the next statement was started but its outcome is not recorded (the process died while
// it ran, or between its implicit commit and its progress row), the schema fingerprint taken
// just before it. A different fingerprint now means the statement ran.
func SplitDoneHash(h string) (done, pending string) {
	done, pending, _ = strings.Cut(h, pendingSep)
	return done, pending
}
