package coord

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/move"
)

// ErrStoreLost is wrapped when the switch store lost a move's state (a Redis restarted without
// persistence reads as pending at version 0) and the coordinator cannot restore it from the
// audit copy in B's database by itself.
var ErrStoreLost = errors.New("the switch store lost the move's state")

// Restore checks that the switch store still knows the move, and restores it when it does not.
// Every transition is copied to B's database after the store accepted it, so a healthy store
// is never behind that copy: a store whose epoch or version is below the copy's last transition
// has lost the move's state, as a Redis restarted without persistence does (it reads as pending
// at version 0, which would send new instances of the application back to writing A alone).
// Restore then writes the state of the copy's last transition back into the store, with the
// copy as its audit log: a compare-and-set from the empty state, so that of two coordinators
// restoring at once one does it and the other reads its result. It logs that it did, on Log,
// or on slog.Default() when Log is nil: an operator must learn that the store lost its data.
//
// The pause switch is not in the copy: it keeps the value the store holds now (off, after a
// restart). Instances keep the switches they had while the store was empty (client.Client
// never goes back in epoch); an instance started meanwhile read pending, and takes the
// restored state at its next poll.
//
// It refuses, wrapping ErrStoreLost, when the store has recorded a transition since it lost
// the move (its history and the copy's diverge), and when a live instance already runs an
// epoch beyond the copy's last transition (the coordinator stopped between a transition and its
// copy). State, Advance, Rollback, Backfill and Pause call it first.
func (c *Driver) Restore(ctx context.Context) (tandem.MoveState, error) {
	st, err := c.Store.State(ctx, c.name())
	if err != nil {
		return st, fmt.Errorf("move %s: read state: %w", c.name(), err)
	}
	return c.restoreIfLost(ctx, st)
}

// restoreIfLost is Restore for a state just read from the store.
func (c *Driver) restoreIfLost(ctx context.Context, st tandem.MoveState) (tandem.MoveState, error) {
	for attempt := 0; ; attempt++ {
		audit, err := c.Move.Audit().Transitions(ctx)
		if err != nil {
			return st, fmt.Errorf("%w (read to check that the switch store did not lose the move's state)", err)
		}
		if len(audit) == 0 {
			return st, nil
		}
		last := audit[len(audit)-1]
		if st.Epoch >= last.Epoch && st.Version >= last.Version {
			return st, nil
		}
		lost := fmt.Sprintf("move %s: the switch store holds %s at version %d, epoch %d, but the audit copy in %s's database (%s) ends with %s -> %s at version %d, epoch %d",
			c.name(), st.Phase, st.Version, st.Epoch, c.Move.B, move.TransitionsTable, last.From, last.To, last.Version, last.Epoch)
		if st.Epoch != 0 {
			return st, tandem.WithHint(fmt.Errorf("%s: %w, and a transition has been written to it since (its history and the copy's diverge), so it is not restored automatically; the application instances keep their last known switches", lost, ErrStoreLost),
				tandem.Hint{Code: tandem.HintMoveRestoreByHand, Text: fmt.Sprintf("find the phase the instances run (the move's status lists their epochs; their logs say \"move switches changed\" with the phase), delete the move's state from the store (Redis: the keys <prefix>:move:%s, :state and :audit), then run the same operation again to restore the copy's state", c.name())})
		}
		ahead, err := c.instancesAhead(ctx, last.Epoch)
		if err != nil {
			return st, fmt.Errorf("%s: %w; list the instances before restoring: %w", lost, ErrStoreLost, err)
		}
		if len(ahead) > 0 {
			return st, tandem.WithHint(fmt.Errorf("%s: %w, and instance(s) %s already run a later epoch: a transition reached the store but not the copy (the coordinator stopped between the two); restoring the copy would leave them in a phase the coordinator does not know",
				lost, ErrStoreLost, strings.Join(ahead, ", ")),
				tandem.Hint{Code: tandem.HintMoveRestoreByHand, Text: fmt.Sprintf("their logs say \"move switches changed\" with the phase they run: add that transition to %s (version %d, epoch of theirs), then run the same operation again", move.TransitionsTable, last.Version+1)})
		}
		want := tandem.MoveState{Move: c.name(), Phase: last.To, Switches: last.To.Switches(), Version: max(last.Version, st.Version+1), Epoch: last.Epoch, Paused: st.Paused}
		restored, err := c.Store.Restore(ctx, want, audit)
		if errors.Is(err, tandem.ErrConflict) && attempt < 3 {
			// Another coordinator restored it (or wrote it) first: read what it did.
			if st, err = c.Store.State(ctx, c.name()); err != nil {
				return st, fmt.Errorf("move %s: read state: %w", c.name(), err)
			}
			continue
		}
		if err != nil {
			return st, tandem.WithHint(fmt.Errorf("%s: %w, and restoring it from the copy failed: %w; the application instances keep their last known switches meanwhile", lost, ErrStoreLost, err),
				tandem.Hint{Code: tandem.HintRunAgain, Text: "make the store writable, then run the same operation again"})
		}
		log := c.Log
		if log == nil {
			log = slog.Default()
		}
		log.Warn("the switch store had lost the move's state; restored it from the audit copy", "move", c.name(), "phase", restored.Phase,
			"switches", restored.Switches, "version", restored.Version, "epoch", restored.Epoch, "paused", restored.Paused,
			"store_had", fmt.Sprintf("%s v%d e%d", st.Phase, st.Version, st.Epoch), "copy", c.Move.B.String()+"."+move.TransitionsTable, "transitions", len(audit))
		return restored, nil
	}
}

// instancesAhead names the live instances that run the move at an epoch above epoch.
func (c *Driver) instancesAhead(ctx context.Context, epoch int64) ([]string, error) {
	hs, err := c.Store.Instances(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, h := range hs {
		if e, ok := h.Epochs[c.name()]; ok && e > epoch {
			out = append(out, fmt.Sprintf("%s (epoch %d)", h.Instance, e))
		}
	}
	return out, nil
}
