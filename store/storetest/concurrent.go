package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/tandem-db/tandem"
)

// testConcurrentUse runs many moves, pauses, heartbeats and leases at once. Every operation on
// its own move must succeed, and each move ends where its goroutine drove it.
func (s *suite) testConcurrentUse(t *testing.T) {
	ctx, st := ctxT(t), s.open(t)
	const workers = 8
	var wg sync.WaitGroup
	errs := make(chan error, workers*64)
	for w := range workers {
		wg.Go(func() {
			move := fmt.Sprintf("move_%d", w)
			version := int64(0)
			for _, to := range tandem.Phases[1:] {
				got, err := st.Transition(ctx, move, version, to, tandem.Transition{By: move})
				if err != nil {
					errs <- fmt.Errorf("%s to %s: %w", move, to, err)
					return
				}
				if got.Version <= version {
					errs <- fmt.Errorf("%s to %s: the version went from %d to %d; it must grow", move, to, version, got.Version)
					return
				}
				if got, err = st.SetPaused(ctx, move, to.Index()%2 == 0); err != nil {
					errs <- fmt.Errorf("%s pause: %w", move, err)
					return
				}
				version = got.Version
				h := tandem.Heartbeat{Instance: move, CodeVersion: "v1", Epochs: map[string]int64{move: got.Epoch}}
				if err := st.Heartbeat(ctx, h, time.Minute); err != nil {
					errs <- fmt.Errorf("%s heartbeat: %w", move, err)
				}
				if ok, err := st.Lease(ctx, "shared", move, time.Minute); err != nil {
					errs <- fmt.Errorf("%s lease: %w", move, err)
				} else if ok {
					if err := st.Release(ctx, "shared", move); err != nil {
						errs <- fmt.Errorf("%s release: %w", move, err)
					}
				}
				if _, err := st.State(ctx, move); err != nil {
					errs <- fmt.Errorf("%s state: %w", move, err)
				}
			}
		})
	}
	// Meanwhile an intruder tries a step to an unknown phase at guessed versions: whether the
	// version matches at that moment or not, it is refused with one of the two sentinel errors.
	wg.Go(func() {
		for i := range 40 {
			move := fmt.Sprintf("move_%d", i%workers)
			_, err := st.Transition(ctx, move, int64(i%5), "bogus", tandem.Transition{By: "intruder"})
			if err == nil {
				errs <- fmt.Errorf("an intruder moved %s to an unknown phase", move)
			} else if !errors.Is(err, tandem.ErrConflict) && !errors.Is(err, tandem.ErrIllegalTransition) {
				errs <- fmt.Errorf("intruder on %s: %w", move, err)
			}
		}
	})
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for w := range workers {
		move := fmt.Sprintf("move_%d", w)
		got := state(ctx, t, st, move)
		n := int64(len(tandem.Phases) - 1)
		if got.Phase != tandem.PhaseComplete || got.Version != 2*n || got.Epoch != n || !got.Paused {
			t.Errorf("%s ended %s version %d epoch %d paused %v, want complete version %d epoch %d paused", move, got.Phase, got.Version, got.Epoch, got.Paused, 2*n, n)
		}
		audit, err := st.Audit(ctx, move)
		if err != nil {
			t.Fatal(err)
		}
		if int64(len(audit)) != n {
			t.Errorf("%s has %d audit entries, want %d", move, len(audit), n)
		}
	}
	hs, err := st.Instances(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(hs) != workers {
		t.Errorf("Instances lists %d instances, want %d", len(hs), workers)
	}
}
