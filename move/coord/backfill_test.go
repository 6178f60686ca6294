package coord

import (
	"testing"

	"github.com/tandem-db/tandem/move"
	"github.com/tandem-db/tandem/project"
)

// The backfill copies with the --workers given to it, else the definition's batch.workers,
// else one worker.
func TestBackfillWorkersPrecedence(t *testing.T) {
	for _, tc := range []struct {
		flag, def, want int
	}{
		{0, 0, 0}, // Backfiller.Run takes 0 as one worker
		{0, 3, 3},
		{2, 3, 2},
		{5, 0, 5},
	} {
		def, err := project.ParseMove("moves/m.yaml", []byte("from: a\nto: b\nkey: [id]\nmapping: {id: id}\n"))
		if err != nil {
			t.Fatal(err)
		}
		def.Workers = tc.def
		c := &Driver{Move: &move.Move{Def: def}, BackfillOptions: BackfillOptions{Workers: tc.flag}}
		if got := c.backfiller(nil).Workers; got != tc.want {
			t.Errorf("--workers %d, batch.workers %d: %d workers, want %d", tc.flag, tc.def, got, tc.want)
		}
	}
}
