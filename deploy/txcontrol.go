package deploy

import (
	"fmt"
	"slices"

	"github.com/tandem-db/tandem/internal/sqllex"
	"github.com/tandem-db/tandem/plan"
)

// txRole is what a statement of a change file that controls the transaction becomes. Such
// statements are never sent: tandem runs a change in its own transaction, with its history row,
// or statement by statement with recorded progress, and a COMMIT of the file's would commit
// tandem's transaction before the history row is written.
type txRole uint8

const (
	txNone txRole = iota // not transaction control: the statement runs
	// txWrap is the BEGIN that opens a change file and the COMMIT that ends it: the body runs
	// in tandem's transaction in their place.
	txWrap
	// txMid is a BEGIN or COMMIT anywhere else: the change runs statement by statement, each
	// recorded as it commits, as on a database whose DDL commits implicitly.
	txMid
	// txGuard is a statement before the wrapping BEGIN that asks for what the dialect's
	// tandem.ChangeGuard does (SQLite's PRAGMA foreign_keys=OFF in a .dump): the change runs
	// guarded instead, in tandem's transaction (dumpguard.go).
	txGuard
)

// txOp is what a statement does to the transaction.
type txOp uint8

const (
	opNone txOp = iota
	opBegin
	opCommit
	opRollback
)

// txOpOf classifies a statement: BEGIN [WORK | TRANSACTION] with its modes, START TRANSACTION,
// COMMIT or END [WORK | TRANSACTION], ROLLBACK or ABORT [WORK | TRANSACTION]. A statement that
// merely starts with BEGIN is not one: the lexer makes a PL/pgSQL body, a trigger's or routine's
// BEGIN ... END and MariaDB's BEGIN NOT ATOMIC ... END part of their statement, and their words
// are not transaction modes. ROLLBACK TO SAVEPOINT, SAVEPOINT and RELEASE are not either: they
// work inside tandem's transaction.
func txOpOf(text string, f sqllex.Flavor) txOp {
	kw := sqllex.Keywords(text, f, 16)
	if len(kw) == 0 || len(kw) == 16 {
		return opNone
	}
	only := func(words []string, allowed ...string) bool {
		for _, w := range words {
			if !slices.Contains(allowed, w) {
				return false
			}
		}
		return true
	}
	modes := []string{"WORK", "TRANSACTION", "DEFERRED", "IMMEDIATE", "EXCLUSIVE", "ISOLATION", "LEVEL",
		"SERIALIZABLE", "REPEATABLE", "READ", "COMMITTED", "UNCOMMITTED", "WRITE", "ONLY", "NOT", "DEFERRABLE",
		"WITH", "CONSISTENT", "SNAPSHOT"}
	switch rest := kw[1:]; kw[0] {
	case "BEGIN":
		if only(rest, modes...) && !slices.Contains(rest, "ATOMIC") {
			return opBegin
		}
	case "START":
		if len(rest) > 0 && rest[0] == "TRANSACTION" && only(rest, modes...) {
			return opBegin
		}
	case "COMMIT", "END":
		if only(rest, "WORK", "TRANSACTION") {
			return opCommit
		}
	case "ROLLBACK", "ABORT":
		if only(rest, "WORK", "TRANSACTION") {
			return opRollback
		}
	}
	return opNone
}

// markTx finds the statements of a change that control the transaction: a BEGIN first and a
// COMMIT last, with no BEGIN or COMMIT between and only settings (SET, PRAGMA) before or after
// them, wrap the change (txWrap); any other BEGIN or COMMIT is txMid. A ROLLBACK is
// refused, because tandem cannot honour it: the statements before it are the change, and a
// failing change is rolled back by tandem anyway.
func markTx(n *plan.Node, stmts []statement, f sqllex.Flavor) error {
	return markTxIn(n.Change.File, stmts, f, false)
}

// markScriptTx is markTx for a script that runs in a change's transaction without changing
// anything (a sqitch verify script), which may also be wrapped in BEGIN ... ROLLBACK, as sqitch
// writes them: both are dropped and the body runs in the change's transaction.
func markScriptTx(file string, stmts []statement, f sqllex.Flavor) error {
	return markTxIn(file, stmts, f, true)
}

func markTxIn(file string, stmts []statement, f sqllex.Flavor, rollbackWraps bool) error {
	ops := make([]txOp, len(stmts))
	first, last := -1, -1 // the first and last statements that control the transaction
	for i, st := range stmts {
		if ops[i] = txOpOf(st.text, f); ops[i] != opNone {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	wrap := first >= 0 && first < last && ops[first] == opBegin && (ops[last] == opCommit || (rollbackWraps && ops[last] == opRollback))
	for i := first + 1; wrap && i < last; i++ {
		if ops[i] != opNone {
			wrap = false // BEGIN ... COMMIT; BEGIN ... COMMIT: transactions of the file's, not one around it
		}
	}
	// Settings may come before or after the pair, as in the sqlite3 shell's .dump output
	// (PRAGMA foreign_keys=OFF; BEGIN TRANSACTION; ... COMMIT;); anything else makes the pair
	// a transaction inside the change rather than around it.
	for i := range stmts {
		if wrap && (i < first || i > last) && !setting(stmts[i].text, f) {
			wrap = false
		}
	}
	for i, st := range stmts {
		switch {
		case ops[i] == opNone:
		case wrap && (i == first || i == last):
			stmts[i].tx = txWrap
		case ops[i] == opRollback:
			return &StepError{File: file, Line: st.line, Statement: st.text, Index: i + 1, Count: len(stmts), Err: fmt.Errorf(
				"a ROLLBACK in a change file would undo the change behind tandem's back; remove it (tandem rolls back a change that fails, and a change that should do nothing should not be deployed)")}
		default:
			stmts[i].tx = txMid
		}
	}
	return nil
}

// setting reports whether a statement only sets a session setting (SET, PRAGMA).
func setting(text string, f sqllex.Flavor) bool {
	kw := sqllex.Keywords(text, f, 1)
	return len(kw) == 1 && (kw[0] == "SET" || kw[0] == "PRAGMA")
}

// txMixed returns the first statement that controls the transaction in the middle of a change,
// or nil.
func txMixed(stmts []statement) *statement {
	for i := range stmts {
		if stmts[i].tx == txMid {
			return &stmts[i]
		}
	}
	return nil
}

// wrapped reports whether a change file wraps its body in BEGIN ... COMMIT.
func wrapped(stmts []statement) bool {
	return wrapBegin(stmts) >= 0
}

// wrapBegin returns the index of the BEGIN that wraps a change, or -1.
func wrapBegin(stmts []statement) int {
	for i, st := range stmts {
		if st.tx == txWrap {
			return i
		}
	}
	return -1
}

// warnTx says how a change's transaction control is honoured where that is not as the file
// asks; transactional calls it once per run of a change.
func (s *session) warnTx(n *plan.Node, stmts []statement) {
	if st := txMixed(stmts); st != nil {
		s.e.log().Warn("the change controls its transaction in its middle: it runs statement by statement, each recorded as it commits, not in one transaction; put the statements in separate changes, or remove the BEGIN/COMMIT, to run it atomically",
			"change", n.Change.ID(), "at", fmt.Sprintf("%s:%d", n.Change.File, st.line), "statement", st.text)
		return
	}
	b := wrapBegin(stmts)
	if b >= 0 && txModes(stmts[b].text, sqllex.FlavorOf(s.e.Dialect.Name())) {
		s.e.log().Warn("the modes of the file's BEGIN are not applied: the change runs in tandem's transaction, with the database's defaults; set them with SET TRANSACTION, or in the database, if the change needs them",
			"change", n.Change.ID(), "at", fmt.Sprintf("%s:%d", n.Change.File, stmts[b].line), "statement", stmts[b].text)
	}
	if b >= 0 && s.e.Dialect.Capabilities().TransactionalDDL && !n.Change.Attrs.NoTransaction {
		guard := s.guardRequests(stmts)
		for i, st := range stmts {
			if !slices.Contains(guard, i) && s.e.Dialect.NonTransactional(st.text) {
				s.e.log().Warn("the change wraps its body in BEGIN ... COMMIT, but a statement of it works only outside a transaction: it runs statement by statement, each recorded as it commits; move that statement to a change of its own to run the rest atomically",
					"change", n.Change.ID(), "at", fmt.Sprintf("%s:%d", n.Change.File, stmts[b].line), "statement", st.text)
				break
			}
		}
	}
	if b >= 0 && !n.Change.Attrs.NoTransaction && !s.e.Dialect.Capabilities().TransactionalDDL && !s.allShareTx(stmts) {
		s.e.log().Warn("the change wraps DDL in BEGIN ... COMMIT, but DDL commits implicitly on "+s.e.Dialect.Name()+": it runs statement by statement, each recorded as it commits",
			"change", n.Change.ID(), "at", fmt.Sprintf("%s:%d", n.Change.File, stmts[b].line))
	}
}

// allShareTx reports whether every statement that runs can share one transaction with the
// history row on a database whose DDL commits implicitly: a wrapped change of INSERT, UPDATE
// and DELETE statements then runs as one transaction there too, as the file asks.
func (s *session) allShareTx(stmts []statement) bool {
	for _, st := range stmts {
		if st.tx == txNone && !s.sharesTx(st.text) {
			return false
		}
	}
	return true
}

// txModes reports whether a BEGIN or START TRANSACTION asks for more than a transaction: an
// isolation level, a read-only transaction, SQLite's IMMEDIATE or EXCLUSIVE locking.
func txModes(text string, f sqllex.Flavor) bool {
	for _, w := range sqllex.Keywords(text, f, 16)[1:] {
		if w != "WORK" && w != "TRANSACTION" && w != "DEFERRED" {
			return true
		}
	}
	return false
}
