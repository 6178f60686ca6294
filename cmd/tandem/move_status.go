package main

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/internal/progress"
	"github.com/tandem-db/tandem/move"
	"github.com/tandem-db/tandem/move/mirror"
)

func moveStatus(ctx context.Context, c *cli, mv *openedMove) error {
	st, err := mv.coord.State(ctx)
	if err != nil {
		return err
	}
	acked, lagging, err := mv.coord.Acks(ctx, st)
	if err != nil {
		return err
	}
	cp, err := mv.move.Checkpoint(ctx)
	if err != nil {
		return err
	}
	live, hasLive, err := mv.move.Live(ctx)
	if err != nil {
		return err
	}
	running := hasLive && !cp.Done && live.Running(time.Now())
	// The write barrier, the last verification and the tuned settings complete the picture: a
	// read that fails is reported (a warning line, "warnings" in JSON, exit 1), never taken
	// for "none".
	var warnings []string
	barrier, err := mirror.Writer{Move: mv.move}.Barrier(ctx)
	if err != nil {
		warnings = append(warnings, fmt.Sprintf("could not read the write barrier (whether the application's writes are held): %v", err))
	}
	ver, hasVer, err := mv.move.LastVerification(ctx)
	if err != nil {
		warnings = append(warnings, fmt.Sprintf("could not read the last verification: %v", err))
	}
	tuned, hasTuned, err := mv.move.Tuned(ctx)
	if err != nil {
		warnings = append(warnings, fmt.Sprintf("could not read the tuned batch settings: %v", err))
	}
	if len(warnings) > 0 {
		c.code = exitError
	}
	if c.json {
		doc := jsonMoveState(st)
		doc["from"], doc["to"], doc["shared"] = mv.move.A.String(), mv.move.B.String(), mv.move.Shared
		doc["acknowledged"], doc["lagging"] = jsonHeartbeats(acked, st.Move), jsonHeartbeats(lagging, st.Move)
		doc["checkpoint"] = jsonCheckpoint(cp)
		if barrier != "" {
			doc["writes_held"] = barrier
		}
		if hasTuned {
			doc["tuned"] = map[string]any{"batch_size": tuned.Size, "target_ms": tuned.Target.Milliseconds(), "max_rows": tuned.MaxRows}
		}
		if len(warnings) > 0 {
			doc["warnings"] = warnings
		}
		if v := ver; hasVer {
			doc["last_verification"] = map[string]any{"at": v.At.Format(time.RFC3339Nano), "ok": v.OK, "rows_a": v.RowsA, "rows_b": v.RowsB,
				"differences": v.Differences, "differing_chunks": v.DifferingChunks, "method": v.Method}
		}
		if hasLive {
			doc["backfill"] = map[string]any{"running": running, "holder": live.Holder, "workers": live.Workers, "rate": live.Rate,
				"eta_s": live.ETA.Seconds(), "batch_size": live.BatchSize, "throttled": live.Throttled, "reported_at": live.At.Format(time.RFC3339Nano)}
		}
		c.writeJSON(c.stdout, doc)
		return nil
	}
	c.printf("Move %s: %s -> %s\n", st.Move, mv.move.A, mv.move.B)
	c.printf("  phase:     %s (switches %s)\n", st.Phase, st.Switches)
	c.printf("  version:   %d, epoch %d\n", st.Version, st.Epoch)
	if st.Paused {
		c.printf("  paused:    yes (tandem move resume %s)\n", st.Move)
	} else {
		c.printf("  paused:    no\n")
	}
	if barrier != "" {
		c.printf("  writes:    held: %s (the command that started it finishes it when run again)\n", barrier)
	}
	c.printf("  instances: %d acknowledged, %d lagging\n", len(acked), len(lagging))
	for _, h := range lagging {
		c.printf("    lagging: %s (version %s, epoch %d, seen %s)\n", h.Instance, h.CodeVersion, h.Epochs[st.Move], h.At.Local().Format("2006-01-02 15:04:05"))
	}
	switch {
	case cp.Bound == nil:
		c.printf("  backfill:  not started (the bound is fixed on entering backfill)\n")
	case cp.Done:
		c.printf("  backfill:  done, %d rows copied, %d scanned in %d batches\n", cp.RowsCopied, cp.RowsScanned, cp.Batches)
	case cp.Total < 0:
		c.printf("  backfill:  bound %s fixed, not run yet (tandem move backfill %s)\n", cp.Bound, st.Move)
	default:
		c.printf("  backfill:  %d of about %d rows scanned (%s), %d copied in %d batches\n", cp.RowsScanned, cp.Total, progress.Percent(cp.RowsScanned, cp.Total), cp.RowsCopied, cp.Batches)
		if cp.Parts > 1 {
			c.printf("  parts:     %d of %d done\n", cp.PartsDone, cp.Parts)
		}
		switch {
		case running && live.Throttled != "":
			c.printf("  running:   %s (%d workers), waiting: %s\n", live.Holder, live.Workers, live.Throttled)
		case running:
			c.printf("  running:   %s (%d workers), %.0f rows/s, about %s left, batches of %d\n", live.Holder, live.Workers, live.Rate, live.ETA.Round(time.Second), live.BatchSize)
		case !cp.UpdatedAt.IsZero():
			c.printf("  last batch: %s ago, none running now (tandem move backfill %s resumes it)\n", time.Since(cp.UpdatedAt).Round(time.Second), st.Move)
		}
	}
	if hasVer {
		c.printf("  verified:  %s, %s ago (%d rows of A, %d of B, %s)\n", describeVerified(ver), time.Since(ver.At).Round(time.Second), ver.RowsA, ver.RowsB, ver.Method)
	}
	if hasTuned {
		c.printf("  tuned:     %s\n", describeTuned(tuned))
	}
	for _, w := range warnings {
		c.printf("  warning:   %s\n", w)
	}
	return nil
}

// describeVerified says what the last verification found.
func describeVerified(v move.Verified) string {
	switch {
	case v.OK:
		return "B equals mapping(A)"
	case v.Differences == 1:
		return "1 row differs"
	}
	return fmt.Sprintf("%d rows differ", v.Differences)
}

// describeTuned renders settings set with tandem move tune.
func describeTuned(t tandem.MoveBatchSettings) string {
	var parts []string
	if t.Size > 0 {
		parts = append(parts, fmt.Sprintf("batch size %d", t.Size))
	}
	if t.Target > 0 {
		parts = append(parts, "target "+t.Target.String())
	}
	if t.MaxRows > 0 {
		parts = append(parts, fmt.Sprintf("at most %d rows/s", t.MaxRows))
	}
	return strings.Join(parts, ", ")
}

// moveTune changes the batch settings of the move's backfill, running or not yet resumed.
func moveTune(ctx context.Context, c *cli, mv *openedMove, settings tandem.MoveBatchSettings) error {
	if err := mv.move.Tune(ctx, settings); err != nil {
		return moveErr(err)
	}
	t, _, err := mv.move.Tuned(ctx)
	if err != nil {
		return err
	}
	if c.json {
		c.writeJSON(c.stdout, map[string]any{"move": mv.move.Def.Name, "batch_size": t.Size, "target_ms": t.Target.Milliseconds(), "max_rows": t.MaxRows})
		return nil
	}
	c.printf("move %s: backfill tuned: %s (a running backfill picks it up within a second)\n", mv.move.Def.Name, describeTuned(t))
	return nil
}

func jsonMoveState(st tandem.MoveState) map[string]any {
	doc := map[string]any{"move": st.Move, "phase": string(st.Phase), "switches": st.Switches.String(),
		"version": st.Version, "epoch": st.Epoch, "paused": st.Paused}
	if !st.UpdatedAt.IsZero() {
		doc["updated_at"] = st.UpdatedAt.UTC().Format(time.RFC3339Nano)
	}
	return doc
}

func jsonHeartbeats(hs []tandem.Heartbeat, moveName string) []map[string]any {
	out := []map[string]any{}
	sort.Slice(hs, func(i, j int) bool { return hs[i].Instance < hs[j].Instance })
	for _, h := range hs {
		out = append(out, map[string]any{"instance": h.Instance, "code_version": h.CodeVersion, "epoch": h.Epochs[moveName], "seen_at": h.At.UTC().Format(time.RFC3339Nano)})
	}
	return out
}

func jsonCheckpoint(cp move.Checkpoint) map[string]any {
	doc := map[string]any{"rows_copied": cp.RowsCopied, "rows_scanned": cp.RowsScanned, "batches": cp.Batches, "total": cp.Total, "done": cp.Done}
	if cp.Bound != nil {
		doc["bound"] = cp.Bound.String()
	}
	if cp.LastKey != nil {
		doc["last_key"] = cp.LastKey.String()
	}
	if !cp.UpdatedAt.IsZero() {
		doc["updated_at"] = cp.UpdatedAt.UTC().Format(time.RFC3339Nano)
	}
	return doc
}
