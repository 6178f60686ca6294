package faulttest

import (
	"context"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"
)

// killStats is what one database's kill campaign measured.
type killStats struct {
	refTook     time.Duration
	kills       int
	emptyKills  int // kills before any change was recorded
	cycles      int // fresh databases deployed to the end (or until stuck)
	finished    int // cycles that ended equal to the uninterrupted deploy
	rerunOnly   int // runs that ended by themselves before their kill
	aheadViews  int // MariaDB: a view created but not recorded (the rerun replaces it)
	stuck       int // MariaDB: DDL applied but not recorded, so the rerun failed
	stuckErrors map[string]int
	bugs        int
}

// TestKillAndRerun kills deploys with SIGKILL after random delays, many times, and reruns them.
// After every kill the history must record nothing that did not apply (and, where DDL is
// transactional, nothing may have applied that is not recorded); after every deploy that ends,
// the schema, the history and the events must equal those of an uninterrupted deploy.
//
// Each cycle starts from a fresh database and kills deploys until one ends by itself, or until
// the -faults budget is spent, then deploys to the end and compares.
func TestKillAndRerun(t *testing.T) {
	seed := *faultSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("kill delays seeded with -faultseed=%d; %d kills per database (-faults)", seed, *faults)
	forEachKind(t, func(t *testing.T, k kind) {
		ctx := context.Background()
		h := fnv.New64a()
		h.Write([]byte(k.name))
		rnd := rand.New(rand.NewPCG(seed, h.Sum64()))

		m, ref, o := reference(ctx, t, k)
		st := killStats{refTook: o.took, stuckErrors: map[string]int{}}
		want, err := ref.state(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if v, err := ref.check(ctx, m); err != nil || len(v.bugs)+len(v.ahead) > 0 || v.records != len(m.changes) {
			t.Fatalf("uninterrupted deploy does not match the project (%d records, want %d): %v %v %v", v.records, len(m.changes), err, v.bugs, v.ahead)
		}
		if bad := once(want.events, m); len(bad) > 0 {
			t.Fatalf("uninterrupted deploy did not apply each change exactly once:\n%s", strings.Join(bad, "\n"))
		}

		for st.kills < *faults && st.bugs < 5 {
			st.cycles++
			if !killCycle(ctx, t, k, m, want, rnd, &st) {
				continue
			}
			st.finished++
		}
		t.Logf("%s: uninterrupted deploy %v; %d kills (%d before anything was recorded) over %d cycles, %d ended equal to it; %d runs ended before their kill",
			k.name, st.refTook.Round(time.Millisecond), st.kills, st.emptyKills, st.cycles, st.finished, st.rerunOnly)
		if !k.transactional {
			t.Logf("%s: %d kills left a view created but unrecorded (the rerun replaced it); %d left DDL applied but unrecorded, and the rerun failed:",
				k.name, st.aheadViews, st.stuck)
			keys := make([]string, 0, len(st.stuckErrors))
			for e := range st.stuckErrors {
				keys = append(keys, e)
			}
			sort.Strings(keys)
			for _, e := range keys {
				t.Logf("  %dx %s", st.stuckErrors[e], e)
			}
		}
	})
}

// killCycle deploys to one fresh database, killing deploys until one ends by itself or the
// budget is spent, then finishes the deploy and compares it with want. It reports whether the
// cycle reached a finished deploy (false when it got stuck or found a bug).
func killCycle(ctx context.Context, t *testing.T, k kind, m *model, want *state, rnd *rand.Rand, st *killStats) bool {
	t.Helper()
	y := newDatabase(t, k, m)
	where := func() string { return fmt.Sprintf("cycle %d, kill %d", st.cycles, st.kills) }
	var expectFail *aheadStmt // a DDL statement applied without its progress row: the rerun must fail
	finished := false
	for !finished && st.kills < *faults {
		delay := time.Duration(rnd.Int64N(int64(st.refTook) + 1))
		o, err := y.run(ctx, delay, "deploy")
		if err != nil {
			t.Fatalf("%s: run tandem: %v", where(), err)
		}
		switch {
		case o.killed:
			st.kills++
			if err := y.quiesce(ctx); err != nil {
				t.Fatalf("%s: %v", where(), err)
			}
			v, err := y.check(ctx, m)
			if err != nil {
				t.Fatalf("%s: %v", where(), err)
			}
			if v.records == 0 {
				st.emptyKills++
			}
			if len(v.bugs) > 0 {
				st.bugs++
				t.Errorf("%s (killed after %v): the history disagrees with the database:\n  %s",
					where(), delay.Round(time.Millisecond), strings.Join(v.bugs, "\n  "))
				return false
			}
			for _, a := range v.ahead {
				if a.stateless {
					st.aheadViews++
				} else {
					expectFail = &a
				}
			}
		case o.code == 0:
			st.rerunOnly++
			finished = true
		case expectFail != nil:
			st.stuck++
			st.stuckErrors[stuckError(*expectFail, o.output)]++
			return false
		default:
			st.bugs++
			t.Errorf("%s: a deploy after a kill failed (exit %d):\n%s", where(), o.code, o.output)
			return false
		}
	}
	if !finished {
		o, err := y.deploy(ctx)
		if err != nil {
			t.Fatalf("%s: run tandem: %v", where(), err)
		}
		if o.code != 0 {
			if expectFail != nil {
				st.stuck++
				st.stuckErrors[stuckError(*expectFail, o.output)]++
				return false
			}
			st.bugs++
			t.Errorf("%s: the deploy after the last kill failed (exit %d):\n%s", where(), o.code, o.output)
			return false
		}
	}
	if expectFail != nil {
		t.Logf("%s: %s was applied but not recorded, and yet the rerun succeeded", where(), expectFail)
	}
	got, err := y.state(ctx)
	if err != nil {
		t.Fatalf("%s: %v", where(), err)
	}
	if d := want.diff(got); d != "" {
		st.bugs++
		t.Errorf("%s: the interrupted deploys ended differently from the uninterrupted one:\n%s", where(), d)
		return false
	}
	runs, err := y.runStatuses(ctx)
	if err != nil {
		t.Fatalf("%s: %v", where(), err)
	}
	if strings.Contains(runs, " running,") {
		st.bugs++
		t.Errorf("%s: a run is still marked running after the deploy that followed the kills: %s", where(), runs)
		return false
	}
	o, err := y.run(ctx, -1, "status", "--exit-code")
	if err != nil || o.code != 0 {
		st.bugs++
		t.Errorf("%s: status after the finished deploy: exit %d, %v\n%s", where(), o.code, err, o.output)
		return false
	}
	return true
}

var (
	dbError = regexp.MustCompile(`Error \d+ \([0-9A-Z]+\): .*`)
	quoted  = regexp.MustCompile(`'[^']*'`)
)

// stuckError sums up why a rerun failed after a DDL statement was left unrecorded, so that
// equal failures count together: the change (without its table) and the database's error
// (without names), e.g. "add_note statement 1: Error 1060 (42S21): Duplicate column name '…'".
func stuckError(ahead aheadStmt, output string) string {
	line := errorLine(output)
	if m := dbError.FindString(line); m != "" {
		line = m
	}
	change := ahead.change[strings.LastIndexByte(ahead.change, '/')+1:]
	return fmt.Sprintf("%s statement %d: %s", change, ahead.stmt, quoted.ReplaceAllString(line, "'…'"))
}
