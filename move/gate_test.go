package move_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/move"
	"github.com/tandem-db/tandem/move/coord"
	"github.com/tandem-db/tandem/store/sqlstore"
)

func init() {
	move.SetStartRefused(func(t *testing.T, ctx context.Context, m *move.Move, want string) {
		t.Helper()
		store, err := sqlstore.New(m.B.DB, m.B.Dialect, sqlstore.Options{Schema: m.B.Schema})
		if err != nil {
			t.Fatal(err)
		}
		co := &coord.Driver{Move: m, Store: store, Grace: -1, AckTimeout: 10 * time.Second, By: "test"}
		_, err = co.Advance(ctx, coord.AdvanceOptions{})
		if !errors.Is(err, coord.ErrGate) || !strings.Contains(err.Error(), want) {
			t.Fatalf("Advance from pending = %v; want ErrGate naming %q", err, want)
		}
		var ge *coord.GateError
		if !errors.As(err, &ge) || ge.Move != m.Def.Name || ge.Phase != tandem.PhaseDualWrite || ge.Hint.Code != tandem.HintMoveCheck {
			t.Fatalf("Advance from pending = %#v; want a *coord.GateError of %s entering dual-write with a move-check hint", err, m.Def.Name)
		}
		if st, err := co.State(ctx); err != nil || st.Phase != tandem.PhasePending {
			t.Fatalf("state after the refused start = %v, %v; want pending", st.Phase, err)
		}
	})
}
