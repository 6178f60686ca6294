package faulttest

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
)

// TestConcurrentDeploys starts 2, 4 and 8 deploys of one project at once against one fresh
// database: every process must exit 0 (they wait for each other's lock, with a wait far longer
// than the deploy takes), each change must be applied exactly once, and the database must end
// as an uninterrupted deploy leaves it.
func TestConcurrentDeploys(t *testing.T) {
	forEachKind(t, func(t *testing.T, k kind) {
		ctx := context.Background()
		m, ref, _ := reference(ctx, t, k)
		want, err := ref.state(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range []int{2, 4, 8} {
			t.Run(fmt.Sprint(n), func(t *testing.T) {
				d := newDatabase(t, k, m)
				outs := make([]outcome, n)
				errs := make([]error, n)
				var start, wg sync.WaitGroup
				start.Add(1)
				for i := range n {
					wg.Add(1)
					go func() {
						defer wg.Done()
						start.Wait()
						outs[i], errs[i] = d.deploy(ctx)
					}()
				}
				start.Done()
				wg.Wait()
				applied := 0
				for i := range n {
					if errs[i] != nil {
						t.Fatalf("deploy %d: %v", i, errs[i])
					}
					if outs[i].code != 0 {
						t.Errorf("deploy %d of %d exited %d:\n%s", i+1, n, outs[i].code, outs[i].output)
					}
					if strings.Contains(outs[i].output, fmt.Sprintf("deploy: %d steps done", len(m.changes))) {
						applied++
					}
				}
				if applied != 1 {
					t.Errorf("%d of %d deploys say they ran all %d steps, want exactly 1", applied, n, len(m.changes))
				}
				got, err := d.state(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if bad := once(got.events, m); len(bad) > 0 {
					t.Errorf("after %d concurrent deploys, changes were not applied exactly once:\n  %s", n, strings.Join(bad, "\n  "))
				}
				if diff := want.diff(got); diff != "" {
					t.Errorf("%d concurrent deploys ended differently from one deploy:\n%s", n, diff)
				}
				runs, err := d.runStatuses(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if want := strings.Repeat("deploy ok,", n); runs != want {
					t.Errorf("runs recorded: %q, want %q (every deploy records its run, ok)", runs, want)
				}
			})
		}
	})
}

// runStatuses lists the recorded runs as "command status," in id order.
func (d *database) runStatuses(ctx context.Context) (string, error) {
	rows, err := d.db.QueryContext(ctx, "SELECT command, status FROM "+d.historyTable("tandem_runs")+" ORDER BY id")
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var cmd, status string
		if err := rows.Scan(&cmd, &status); err != nil {
			return "", err
		}
		b.WriteString(cmd + " " + status + ",")
	}
	return b.String(), rows.Err()
}
