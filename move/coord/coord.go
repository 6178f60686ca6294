package coord

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/move"
)

// Driver drives one move through its phases (shared/design/MOVES.md). Every phase change
// is a compare-and-set in the switch store, copied to an audit table in B's database, and
// becomes effective only when every live instance of the application has acknowledged it.
type Driver struct {
	Move  *move.Move
	Store tandem.SwitchStore
	// AckTimeout bounds the wait for instances to acknowledge a phase (default 2 minutes).
	AckTimeout time.Duration
	// Grace is waited after the last acknowledgement, for requests that started under the old
	// switches to finish: the application's longest request (default 5s).
	Grace time.Duration
	// By says who runs the coordinator, for the audit log.
	By  string
	Log *slog.Logger
	// Backfill tunes Backfill: how many parts this process copies at once, and whether parts
	// are leased through the store so that backfills started on several hosts share the work.
	BackfillOptions BackfillOptions
}

// BackfillOptions control how Driver.Backfill divides the work.
type BackfillOptions struct {
	// Workers is how many parts this process copies at once (default: the definition's
	// batch.workers, else 1).
	Workers int
	// Share leases parts through the switch store: backfills started in several processes
	// divide the parts between them, and each waits for the others' parts before it returns.
	// A process that dies holds its part until its lease runs out (LeaseTTL).
	Share bool
	// LeaseTTL is how long a part's lease lasts without renewal (default 30s).
	LeaseTTL time.Duration
}

// AdvanceOptions control Advance.
type AdvanceOptions struct {
	// Force passes a gate that is not met (an unfinished backfill, a verification with
	// differences); Reason must then say why, and is recorded.
	Force  bool
	Reason string
	// Confirm is required to enter complete, which cannot be undone.
	Confirm bool
}

// StragglersError says which instances did not acknowledge a phase in time. The phase is set
// in the store; it is not effective until they acknowledge (or stop heartbeating).
type StragglersError struct {
	Move       string
	Phase      tandem.Phase
	Epoch      int64
	Stragglers []tandem.Heartbeat
	Waited     time.Duration
}

func (e *StragglersError) Error() string {
	names := make([]string, len(e.Stragglers))
	for i, h := range e.Stragglers {
		names[i] = fmt.Sprintf("%s (version %s, epoch %d)", h.Instance, h.CodeVersion, h.Epochs[e.Move])
	}
	return fmt.Sprintf("move %s: %d instance(s) did not acknowledge %s (epoch %d) within %v: %s; they may be stuck or run code that does not follow this move",
		e.Move, len(names), e.Phase, e.Epoch, e.Waited.Round(time.Second), strings.Join(names, ", "))
}

// Hint says to fix or stop the stragglers, then to run the same operation again.
func (e *StragglersError) Hint() tandem.Hint {
	return tandem.Hint{Code: tandem.HintRunAgain, Text: "fix or stop them, then run the same operation again (it waits again)"}
}

// MoveName names the move, for advice that names it.
func (e *StragglersError) MoveName() string { return e.Move }

// ErrGate is wrapped (by a *GateError) when a phase's gate is not met and Force was not given.
var ErrGate = errors.New("the gate of the next phase is not met")

func (c *Driver) log() *slog.Logger {
	if c.Log == nil {
		return slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return c.Log
}

func (c *Driver) name() string { return c.Move.Def.Name }

// State returns the move's state from the store, first restoring it from the audit copy if
// the store lost it (see Restore).
func (c *Driver) State(ctx context.Context) (tandem.MoveState, error) {
	return c.Restore(ctx)
}
