package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

// testLease: a lease is exclusive while live, renewed only by its holder, taken over after it
// expires, and released only by its holder.
func (s *suite) testLease(t *testing.T) {
	ctx, st := ctxT(t), s.open(t)
	const res = "orders:backfill:0-1000"
	lease := func(holder string, ttl time.Duration) bool {
		t.Helper()
		ok, err := st.Lease(ctx, res, holder, ttl)
		if err != nil {
			t.Fatalf("Lease(%q, %q): %v", res, holder, err)
		}
		return ok
	}
	release := func(holder string) {
		t.Helper()
		if err := st.Release(ctx, res, holder); err != nil {
			t.Fatalf("Release(%q, %q): %v", res, holder, err)
		}
	}

	if !lease("a", shortTTL) {
		t.Fatal("a could not take a free lease")
	}
	if lease("b", shortTTL) {
		t.Fatal("b took a lease that a holds")
	}
	// a renews twice within the time to live, so it holds the lease for longer than one.
	for range 2 {
		time.Sleep(shortTTL * 2 / 3)
		if !lease("a", shortTTL) {
			t.Fatal("the holder could not renew its lease")
		}
	}
	if lease("b", shortTTL) {
		t.Fatal("b took a renewed lease before it expired")
	}
	// A renewal may change the time to live: a second leaves room for the checks below on a
	// slow machine.
	if !lease("a", time.Second) {
		t.Fatal("the holder could not renew its lease")
	}
	// Another resource is independent.
	if ok, err := st.Lease(ctx, res+":other", "b", shortTTL); err != nil || !ok {
		t.Fatalf("b could not take a lease on another resource: %v, %v", ok, err)
	}
	// A release by someone else has no effect.
	release("b")
	if lease("b", shortTTL) {
		t.Fatal("b took the lease after releasing a lease it did not hold")
	}
	// Once a stops renewing, b takes it over.
	if !eventually(expiryWait, func() bool { return lease("b", time.Minute) }) {
		t.Fatalf("b could not take the lease %v after a stopped renewing", expiryWait)
	}
	if lease("a", time.Minute) {
		t.Fatal("a took the lease back from b")
	}
	release("a")
	if lease("a", time.Minute) {
		t.Fatal("a took the lease after releasing a lease it no longer held")
	}
	release("b")
	if !lease("a", time.Minute) {
		t.Fatal("a could not take the lease that b released")
	}
	release("a")
	release("a") // releasing twice is harmless
}

// testLeaseRace: many holders race for one free lease; exactly one gets it.
func (s *suite) testLeaseRace(t *testing.T) {
	ctx, st := ctxT(t), s.open(t)
	const racers = 16
	for round := range 3 {
		res := fmt.Sprintf("range-%d", round)
		var wg sync.WaitGroup
		won := make([]bool, racers)
		errs := make([]error, racers)
		start := make(chan struct{})
		for r := range racers {
			wg.Go(func() {
				<-start
				won[r], errs[r] = st.Lease(ctx, res, fmt.Sprintf("worker-%d", r), time.Minute)
			})
		}
		close(start)
		wg.Wait()
		n := 0
		for r := range racers {
			if errs[r] != nil {
				t.Errorf("round %d, racer %d: %v", round, r, errs[r])
			}
			if won[r] {
				n++
			}
		}
		if n != 1 {
			t.Errorf("round %d: %d racers hold the lease, want exactly 1", round, n)
		}
	}
}
