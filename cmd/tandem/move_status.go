package main

import (
	"context"
	"fmt"
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
		doc := &jsonMoveStatus{jsonMoveState: toJSONMoveState(st), From: mv.move.A.String(), To: mv.move.B.String(), Shared: mv.move.Shared,
			Acknowledged: toJSONHeartbeats(acked, st.Move), Lagging: toJSONHeartbeats(lagging, st.Move), Checkpoint: toJSONCheckpoint(cp),
			WritesHeld: barrier, Warnings: warnings}
		if hasTuned {
			t := toJSONTuned(tuned)
			doc.Tuned = &t
		}
		if v := ver; hasVer {
			doc.LastVerification = &jsonLastVerified{At: v.At.Format(time.RFC3339Nano), OK: v.OK, RowsA: v.RowsA, RowsB: v.RowsB,
				Differences: v.Differences, DifferingChunks: v.DifferingChunks, Method: v.Method}
		}
		if hasLive {
			doc.Backfill = &jsonRunningBackfill{Running: running, Holder: live.Holder, Workers: live.Workers, Rate: live.Rate,
				ETASeconds: live.ETA.Seconds(), BatchSize: live.BatchSize, Throttled: live.Throttled, ReportedAt: live.At.Format(time.RFC3339Nano)}
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
		c.writeJSON(c.stdout, &jsonTuneDoc{Move: mv.move.Def.Name, jsonTuned: toJSONTuned(t)})
		return nil
	}
	c.printf("move %s: backfill tuned: %s (a running backfill picks it up within a second)\n", mv.move.Def.Name, describeTuned(t))
	return nil
}
