package deploy

import (
	"cmp"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/internal/sqllex"
	"github.com/tandem-db/tandem/plan"
)

// statement is one statement of a change, with its line in the file.
type statement struct {
	text string
	line int
	file string // the file holding it when it is not the change's (a callback, a verify script)
	// copy marks a COPY ... FROM STDIN followed by its data block (data, from dataLine on).
	copy     bool
	data     string
	dataLine int
	tx       txRole // transaction control the file holds, not sent (txcontrol.go)
}

// split splits a node's SQL into statements with their file lines, and marks the statements
// that control the transaction (markTx).
func (s *session) split(n *plan.Node, body string, firstLine int) ([]statement, error) {
	parts, err := sqllex.Split(body, plan.SplitOptions(n.Object, s.e.Dialect.Name()))
	if err != nil {
		line := firstLine
		if se, ok := err.(*sqllex.SyntaxError); ok {
			// The file's line replaces the line in the change's body the lexer counts.
			line += se.Line - 1
			err = errors.New(se.Msg)
		}
		return nil, &StepError{File: n.Change.File, Line: line, Err: err}
	}
	out := make([]statement, len(parts))
	for i, p := range parts {
		out[i] = statement{text: p.Text, line: firstLine + p.Line - 1}
		if p.Data != nil {
			out[i].copy, out[i].data, out[i].dataLine = true, p.Data.Rows, firstLine+p.Data.Line-1
		}
	}
	if err := markTx(n, out, sqllex.FlavorOf(s.e.Dialect.Name())); err != nil {
		return nil, err
	}
	return out, nil
}

// hashStatements identifies a prefix of a change's statements (see plan.HashStatements).
func (s *session) hashStatements(stmts []statement) string {
	texts := make([]string, 0, len(stmts))
	for _, st := range stmts {
		texts = append(texts, st.text)
		if st.copy {
			texts = append(texts, plan.CopyDataHashText(st.data))
		}
	}
	return plan.HashStatements(texts, s.e.Dialect.Name())
}

func (s *session) record(n *plan.Node, status tandem.RecordStatus) *tandem.Record {
	return &tandem.Record{
		Schema: n.Object.Key.Schema, Type: n.Object.Key.Type, Object: n.Object.Key.Name, Change: n.Change.Name,
		Hash: n.Hash, Status: status, Rollback: n.Rollback, Definition: n.SQL, RunID: s.run.ID,
		AppliedAt: time.Now(), AppliedBy: s.e.who(), Tool: s.e.Tool, App: s.e.App, File: n.Change.File,
		Kind: tandem.KindOf(n.Object),
	}
}

// eventFor makes the event of a step. The SQL of a stateful change is kept once, in its record
// (rollback reads the record); the events of stateless objects keep their definition, which
// rollback needs after the record has moved on.
func (s *session) eventFor(n *plan.Node, action tandem.EventAction) *tandem.Event {
	e := &tandem.Event{RunID: s.run.ID, Action: action, Schema: n.Object.Key.Schema, Type: n.Object.Key.Type,
		Object: n.Object.Key.Name, Change: n.Change.Name, Hash: n.Hash, At: time.Now(), Kind: tandem.KindOf(n.Object)}
	if !n.Object.Stateful() {
		e.SQL = n.SQL
	}
	return e
}

// transactional reports whether all statements can run in one transaction with the history row.
// When they can, it marks the statements the dialect's guard does in their place (txGuard).
// A change that controls its transaction in its middle never does; one that wraps statements
// that can share a transaction in BEGIN ... COMMIT does even where DDL commits implicitly.
func (s *session) transactional(n *plan.Node, stmts []statement) bool {
	s.warnTx(n, stmts)
	if n.Change.Attrs.NoTransaction || txMixed(stmts) != nil {
		return false
	}
	if !s.e.Dialect.Capabilities().TransactionalDDL {
		return wrapped(stmts) && s.allShareTx(stmts)
	}
	guard := s.guardRequests(stmts)
	for i, st := range stmts {
		if !slices.Contains(guard, i) && s.e.Dialect.NonTransactional(st.text) {
			return false
		}
	}
	for _, i := range guard {
		stmts[i].tx = txGuard // the guard does it, outside the transaction (dumpguard.go)
	}
	return true
}

// withRetry runs fn again, with backoff, while it fails with a lock wait timeout.
func (s *session) withRetry(ctx context.Context, what string, fn func() error) error {
	delay := 200 * time.Millisecond
	for attempt := 0; ; attempt++ {
		err := fn()
		if err == nil || attempt >= s.e.retries() || !s.e.Dialect.Retryable(err) {
			return err
		}
		s.e.log().Warn("lock wait timed out; retrying", "step", what, "attempt", attempt+1, "in", delay, "err", err)
		select {
		case <-ctx.Done():
			return err
		case <-time.After(delay):
		}
		if delay < 5*time.Second {
			delay *= 2
		}
	}
}

// execAll runs statements on q, returning a StepError for the first that fails. The file's
// transaction control is not sent (see txRole); a COPY's data is streamed on the session's
// connection, on which q is.
func (s *session) execAll(ctx context.Context, q tandem.Querier, st plan.Step, stmts []statement, from int) error {
	for i := from; i < len(stmts); i++ {
		if stmts[i].tx != txNone {
			continue
		}
		line, err := stmts[i].line, error(nil)
		if stmts[i].copy {
			line, err = s.copyIn(ctx, stmts[i])
		} else {
			_, err = q.ExecContext(ctx, stmts[i].text)
		}
		if err != nil {
			return &StepError{Step: st, File: cmp.Or(stmts[i].file, st.Node.Change.File), Line: line, Statement: stmts[i].text,
				Index: i + 1, Count: len(stmts), Err: err}
		}
	}
	return nil
}

// prepare splits a node's SQL into statements and points the session at the node's schema.
func (s *session) prepare(ctx context.Context, st plan.Step) ([]statement, error) {
	n := st.Node
	stmts, err := s.split(n, n.SQL, n.Change.SQLLine)
	if err != nil {
		return nil, withStep(err, st)
	}
	if stmts, err = s.around(st, stmts); err != nil {
		return nil, err
	}
	return stmts, s.use(ctx, n.Object.Key.Schema)
}

// recordStep writes a change's history row and its event, in one round trip where the database
// allows it for a change that has no row yet.
func (s *session) recordStep(ctx context.Context, q tandem.Querier, rec *tandem.Record, ev *tandem.Event, fresh bool) error {
	if fresh {
		return s.hist.insertWithEvent(ctx, q, rec, ev)
	}
	if err := s.hist.put(ctx, q, rec); err != nil {
		return err
	}
	return s.hist.event(ctx, q, ev)
}

// runRecorded runs statements and records the step in one transaction, retried while a lock
// wait times out: the change and its history commit together or not at all.
func (s *session) runRecorded(ctx context.Context, st plan.Step, stmts []statement, rec *tandem.Record, ev *tandem.Event) error {
	return s.guarded(ctx, stmts, func() error {
		return s.withRetry(ctx, st.Node.Change.ID(), func() error {
			return s.inTx(ctx, func(tx *sql.Tx) error {
				if err := s.execAll(ctx, tx, st, stmts, 0); err != nil {
					return err
				}
				if err := s.checkChange(ctx, tx, st); err != nil {
					return err
				}
				return s.recordStep(ctx, tx, rec, ev, st.Record == nil)
			})
		})
	})
}

// apply runs one pending change of a stateful object.
func (s *session) apply(ctx context.Context, st plan.Step) error {
	n := st.Node
	stmts, err := s.prepare(ctx, st)
	if err != nil {
		return err
	}
	start := 0
	if r := st.Record; r != nil && r.Status == tandem.Partial {
		done, pending := plan.SplitDoneHash(r.DoneHash)
		if r.Done > len(stmts) || s.hashStatements(stmts[:r.Done]) != done {
			return &StepError{Step: st, File: n.Change.File, Line: n.Change.Line, Err: fmt.Errorf(
				"the first %d statements were applied earlier but have changed since; restore them as they were, or roll the partial change back by hand and remove its history row", r.Done)}
		}
		start = r.Done
		if pending != "" && start < len(stmts) {
			// The last run died during statement start+1, or after its implicit commit but
			// before its progress row: the schema says whether it ran, once the statement
			// has stopped running on the server and what an interrupted index build left is
			// gone.
			if err := s.waitForKilled(ctx, st, stmts[start]); err != nil {
				return err
			}
			if err := s.dropLeftovers(ctx, st, stmts[start]); err != nil {
				return err
			}
			now, err := s.fingerprint(ctx, n, stmts[start].text, pending)
			if err != nil {
				return err
			}
			if now != pending {
				s.e.log().Info("a statement interrupted by the last run had completed", "change", n.Change.ID(), "statement", start+1)
				start++
			}
		}
	}
	if start == 0 && s.transactional(n, stmts) {
		rec, ev := s.record(n, tandem.Applied), s.eventFor(n, tandem.EventApply)
		if st.Record == nil && s.pipelined(ctx, st, stmts, rec, ev) {
			return nil
		}
		return s.runRecorded(ctx, st, stmts, rec, ev)
	}
	return s.applyEach(ctx, st, stmts, start)
}

// applyEach runs a change statement by statement, recording progress after each, for databases
// whose DDL commits implicitly and for changes that cannot run in a transaction. A statement
// that can share a transaction with its progress row does.
func (s *session) applyEach(ctx context.Context, st plan.Step, stmts []statement, start int) error {
	n := st.Node
	if len(stmts) == 0 || start >= len(stmts) {
		// Nothing (more) to run: an empty change, or one whose last statement was found to have
		// run before the previous deploy died. Record it as applied.
		rec := s.record(n, tandem.Applied)
		if len(stmts) > 0 {
			rec.Done, rec.DoneHash = len(stmts), s.hashStatements(stmts)
		}
		return s.inTx(ctx, func(tx *sql.Tx) error {
			if err := s.hist.put(ctx, tx, rec); err != nil {
				return err
			}
			return s.hist.event(ctx, tx, s.eventFor(n, tandem.EventApply))
		})
	}
	for i := start; i < len(stmts); i++ {
		rec := s.record(n, tandem.Partial)
		rec.Done, rec.DoneHash = i+1, s.hashStatements(stmts[:i+1])
		last := i == len(stmts)-1
		if last {
			rec.Status = tandem.Applied
		}
		progress := func(q tandem.Querier) error {
			if err := s.hist.put(ctx, q, rec); err != nil {
				return err
			}
			if last {
				return s.hist.event(ctx, q, s.eventFor(n, tandem.EventApply))
			}
			return nil
		}
		var guard indexGuard
		err := s.withRetry(ctx, n.Change.ID(), func() error {
			return progressOf(s.applyOne(ctx, st, stmts, i, &guard, progress), i, len(stmts))
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// progressOf says in a StepError where in the change it failed and what stayed recorded:
// statements 1-i, applied before statement i+1.
func progressOf(err error, i, count int) error {
	if se, ok := err.(*StepError); ok {
		se.Index, se.Count, se.Applied = i+1, count, i
	}
	return err
}

// applyOne runs statement i of a change applied statement by statement and records its
// progress: in one transaction with it where it can share one, or else after announcing it.
func (s *session) applyOne(ctx context.Context, st plan.Step, stmts []statement, i int, guard *indexGuard, progress func(tandem.Querier) error) error {
	n := st.Node
	if stmts[i].tx != txNone || s.sharesTx(stmts[i].text) {
		return s.inTx(ctx, func(tx *sql.Tx) error {
			if err := s.execAll(ctx, tx, st, stmts[i:i+1], 0); err != nil {
				return err
			}
			return progress(tx)
		})
	}
	// Before a statement that commits on its own, record that it is starting, with the
	// schema's fingerprint, so that a rerun after a crash can tell whether it ran.
	before, err := s.fingerprint(ctx, n, stmts[i].text, "")
	if err != nil {
		return err
	}
	started := s.record(n, tandem.Partial)
	started.Done, started.DoneHash = i, plan.JoinDoneHash(s.hashStatements(stmts[:i]), before)
	if err := s.inTx(ctx, func(tx *sql.Tx) error { return s.hist.put(ctx, tx, started) }); err != nil {
		return err
	}
	if err := s.execAlone(ctx, st, stmts, i, guard); err != nil {
		s.unstart(ctx, st, stmts, i)
		return err
	}
	// The statement committed on its own; its progress row (and, for the last one, the
	// apply event) commit together right after. A crash in between leaves the previous
	// progress row, so the rerun reports exactly this statement.
	return s.inTx(ctx, func(tx *sql.Tx) error { return progress(tx) })
}

// sharesTx reports whether a statement may run in one transaction with its progress row.
func (s *session) sharesTx(stmt string) bool {
	if s.e.Dialect.NonTransactional(stmt) {
		return false
	}
	if s.e.Dialect.Capabilities().TransactionalDDL {
		return true
	}
	switch kw := sqllex.Keywords(stmt, sqllex.FlavorOf(s.e.Dialect.Name()), 1); {
	case len(kw) == 0:
		return false
	default:
		switch kw[0] {
		case "INSERT", "UPDATE", "DELETE", "SELECT", "WITH":
			return true
		}
	}
	return false
}

// deployObject creates (or replaces) a stateless object.
func (s *session) deployObject(ctx context.Context, st plan.Step) error {
	n := st.Node
	stmts, err := s.prepare(ctx, st)
	if err != nil {
		return err
	}
	rec, ev := s.record(n, tandem.Applied), s.eventFor(n, tandem.EventDeploy)
	if s.transactional(n, stmts) {
		return s.runRecorded(ctx, st, stmts, rec, ev)
	}
	// Without transactional DDL a crash can leave the object created but unrecorded; dropping
	// an unrecorded leftover first makes the rerun succeed.
	if st.Record == nil && n.Object.Key.Type != tandem.Repeatable {
		if err := s.e.Dialect.DropObject(ctx, s.conn, s.physical(n.Object.Key.Schema), n.Object.Key.Type, n.Object.Name); err != nil {
			return &StepError{Step: st, File: n.Change.File, Line: n.Change.Line, Err: fmt.Errorf("drop leftover before create: %w", err)}
		}
	}
	if err := s.withRetry(ctx, n.Change.ID(), func() error { return s.execAll(ctx, s.conn, st, stmts, 0) }); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *sql.Tx) error { return s.recordStep(ctx, tx, rec, ev, st.Record == nil) })
}

// dropObject drops a stateless object and forgets it.
func (s *session) dropObject(ctx context.Context, st plan.Step) error {
	name, file, def := st.Key.Name, "", ""
	if st.Record != nil {
		name, file, def = writtenName(st.Record), st.Record.File, st.Record.Definition
	}
	if st.Node != nil {
		name, file = st.Node.Object.Name, st.Node.Change.File
	}
	phys := s.physical(st.Key.Schema)
	ev := &tandem.Event{RunID: s.run.ID, Action: tandem.EventDrop, Schema: st.Key.Schema, Type: st.Key.Type, Object: st.Key.Name, SQL: def, At: time.Now(), Kind: tandem.KindDefinition}
	if st.Record != nil {
		ev.Change, ev.Hash, ev.Kind = st.Record.Change, st.Record.Hash, st.Record.Kind
	}
	forget := func(q tandem.Querier) error {
		if st.Record != nil {
			if err := s.hist.delete(ctx, q, st.Key, st.Record.Change); err != nil {
				return err
			}
		}
		return s.hist.event(ctx, q, ev)
	}
	drop := func(q tandem.Querier) error {
		if st.Key.Type == tandem.Repeatable {
			return nil // Flyway repeatables are scripts, not objects: nothing to drop
		}
		if err := s.e.Dialect.DropObject(ctx, q, phys, st.Key.Type, name); err != nil {
			return &StepError{Step: st, File: file, Err: fmt.Errorf("drop %s %s: %w", st.Key.Type, name, err)}
		}
		return nil
	}
	if s.e.Dialect.Capabilities().TransactionalDDL {
		return s.withRetry(ctx, st.Key.String(), func() error {
			return s.inTx(ctx, func(tx *sql.Tx) error {
				if err := drop(tx); err != nil {
					return err
				}
				return forget(tx)
			})
		})
	}
	if err := s.withRetry(ctx, st.Key.String(), func() error { return drop(s.conn) }); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *sql.Tx) error { return forget(tx) })
}

// rebaseline records a change that consolidates earlier ones, without running it.
func (s *session) rebaseline(ctx context.Context, st plan.Step, records []tandem.Record) error {
	n := st.Node
	return s.inTx(ctx, func(tx *sql.Tx) error {
		for _, old := range n.Change.Attrs.Rebaseline {
			for _, r := range records {
				if r.Key() == n.Object.Key && strings.EqualFold(r.Change, old) {
					if err := s.hist.delete(ctx, tx, n.Object.Key, r.Change); err != nil {
						return err
					}
				}
			}
		}
		if err := s.hist.put(ctx, tx, s.record(n, tandem.Applied)); err != nil {
			return err
		}
		return s.hist.event(ctx, tx, s.eventFor(n, tandem.EventRebaseline))
	})
}

// withStep fills in the step of a StepError made before the step was known.
func withStep(err error, st plan.Step) error {
	if se, ok := err.(*StepError); ok {
		se.Step = st
	}
	return err
}

// writtenName is an object's name as its file spells it, which the history keeps only in the
// file name (records hold the lower-case key). Databases with case-sensitive names (MySQL
// tables and views) need the spelling to drop the object.
func writtenName(r *tandem.Record) string {
	if r.File == "" || r.Type == tandem.Versioned || r.Type == tandem.Repeatable {
		return r.Object
	}
	base := path.Base(r.File)
	if i := strings.IndexByte(base, '.'); i > 0 {
		base = base[:i]
	}
	if !strings.EqualFold(base, r.Object) {
		return r.Object
	}
	return base
}

// unstart takes back the "statement i+1 started" progress row of a statement that failed with
// an error (rather than a crash): the record goes back to what it was before it.
func (s *session) unstart(ctx context.Context, st plan.Step, stmts []statement, i int) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	n := st.Node
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if i == 0 && (st.Record == nil || st.Record.Done == 0) {
			return s.hist.delete(ctx, tx, n.Object.Key, n.Change.Name)
		}
		rec := s.record(n, tandem.Partial)
		rec.Done, rec.DoneHash = i, s.hashStatements(stmts[:i])
		return s.hist.put(ctx, tx, rec)
	})
	if err != nil {
		s.e.log().Warn("could not clear the progress row of a failed statement", "change", n.Change.ID(), "err", err)
	}
}

// fingerprint describes what a statement that commits on its own can change, before it runs:
// a rerun after a crash compares it with the schema then to tell whether the statement ran.
// Where the dialect can (tandem.Fingerprinter), only the objects the statement names are
// described ("s:" prefix), which costs the same whatever the size of the schema; otherwise the
// whole schema is inspected. A recorded fingerprint is always checked the way it was made.
func (s *session) fingerprint(ctx context.Context, n *plan.Node, stmt string, like string) (string, error) {
	schema := s.physical(n.Object.Key.Schema)
	if fp, ok := s.e.Dialect.(tandem.Fingerprinter); ok && (like == "" || strings.HasPrefix(like, scopedFingerprint)) {
		if names := s.namesIn(stmt); len(names) > 0 && len(names) <= maxFingerprintNames {
			sum, err := fp.Fingerprint(ctx, s.conn, schema, names)
			if err != nil {
				return "", fmt.Errorf("describe what %s changes: %w", n.Change.ID(), err)
			}
			return scopedFingerprint + sum, nil
		}
	}
	snap, err := s.e.Dialect.Inspect(ctx, s.conn, []string{schema})
	if err != nil {
		return "", fmt.Errorf("inspect schema before %s: %w", n.Change.ID(), err)
	}
	h := sha256.New()
	for _, o := range snap.Objects() {
		fmt.Fprintf(h, "%s\x00%s\x00%s\x00%s\x00", o.Schema, o.Type, o.Name, o.Definition)
	}
	return hex.EncodeToString(h.Sum(nil))[:32], nil
}

// scopedFingerprint marks a fingerprint of the objects a statement names.
const scopedFingerprint = "s:"

// maxFingerprintNames bounds the names a scoped fingerprint looks up; a statement that names
// more is fingerprinted by inspecting the whole schema.
const maxFingerprintNames = 100

// namesIn lists every part of every name in stmt, lower-cased, once each.
func (s *session) namesIn(stmt string) []string {
	seen := map[string]bool{}
	var names []string
	sqllex.Identifiers(stmt, sqllex.FlavorOf(s.e.Dialect.Name()), func(id sqllex.Ident) {
		for _, p := range id.Parts {
			if l := strings.ToLower(p); l != "" && !seen[l] {
				seen[l] = true
				names = append(names, l)
			}
		}
	})
	return names
}
