package storetest

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tandem-db/tandem"
)

// shortTTL is the time to live of heartbeats and leases that a test waits out.
const shortTTL = 300 * time.Millisecond

// expiryWait is how long the suite polls for something to expire after shortTTL.
const expiryWait = 3 * time.Second

// testHeartbeats: Instances lists every instance whose heartbeat has not expired, with what it
// reported, and drops it once its time to live has passed without a new heartbeat.
func (s *suite) testHeartbeats(t *testing.T) {
	ctx, st := ctxT(t), s.open(t)
	instances := func() []tandem.Heartbeat {
		t.Helper()
		got, err := st.Instances(ctx)
		if err != nil {
			t.Fatalf("Instances: %v", err)
		}
		slices.SortFunc(got, func(a, b tandem.Heartbeat) int { return strings.Compare(a.Instance, b.Instance) })
		return got
	}
	if got := instances(); len(got) != 0 {
		t.Fatalf("Instances of a fresh store = %v, want none", got)
	}

	short := tandem.Heartbeat{Instance: "host-a:4242:1700000000", CodeVersion: "v1.2.3", Epochs: map[string]int64{"orders": 3, "customers": 1}}
	long := tandem.Heartbeat{Instance: "host-b:77:1700000001", CodeVersion: "v1.2.4-rc.1+dirty", Epochs: map[string]int64{}}
	before := time.Now()
	// Both live for a minute at first, so that a slow machine cannot expire one before the
	// checks of what was recorded.
	if err := st.Heartbeat(ctx, short, time.Minute); err != nil {
		t.Fatalf("Heartbeat: %v", err)
	}
	if err := st.Heartbeat(ctx, long, time.Minute); err != nil {
		t.Fatalf("Heartbeat: %v", err)
	}
	after := time.Now()
	got := instances()
	ignoreAt := cmpopts.IgnoreFields(tandem.Heartbeat{}, "At")
	if diff := cmp.Diff([]tandem.Heartbeat{short, long}, got, ignoreAt, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("Instances (-want +got):\n%s", diff)
	}
	for _, h := range got {
		checkTime(t, "heartbeat At of "+h.Instance, h.At, before, after)
	}

	// A new heartbeat replaces what the instance reported; it is still one instance.
	long.Epochs = map[string]int64{"orders": 4}
	long.CodeVersion = "v1.2.4"
	if err := st.Heartbeat(ctx, long, time.Minute); err != nil {
		t.Fatalf("Heartbeat: %v", err)
	}
	got = instances()
	if diff := cmp.Diff([]tandem.Heartbeat{short, long}, got, ignoreAt, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("Instances after a renewed heartbeat (-want +got):\n%s", diff)
	}

	// A heartbeat with a short time to live replaces the long one; renewing it keeps it
	// alive past its first time to live.
	for range 4 {
		if err := st.Heartbeat(ctx, short, shortTTL); err != nil {
			t.Fatalf("Heartbeat: %v", err)
		}
		time.Sleep(shortTTL / 3)
	}
	if err := st.Heartbeat(ctx, short, shortTTL); err != nil {
		t.Fatalf("Heartbeat: %v", err)
	}
	if got := instances(); len(got) != 2 {
		t.Errorf("Instances after renewing within the time to live = %d instances, want 2", len(got))
	}

	if !eventually(expiryWait, func() bool { return len(instances()) == 1 }) {
		t.Fatalf("the heartbeat with a %v time to live was still listed after %v: %v", shortTTL, expiryWait, instances())
	}
	if diff := cmp.Diff([]tandem.Heartbeat{long}, instances(), ignoreAt, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("Instances after expiry (-want +got):\n%s", diff)
	}

	// An expired instance that comes back is listed again.
	if err := st.Heartbeat(ctx, short, time.Minute); err != nil {
		t.Fatalf("Heartbeat: %v", err)
	}
	if diff := cmp.Diff([]tandem.Heartbeat{short, long}, instances(), ignoreAt, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("Instances after the expired instance came back (-want +got):\n%s", diff)
	}
}
