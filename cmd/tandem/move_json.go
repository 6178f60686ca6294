package main

import (
	"sort"
	"time"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/move"
	"github.com/tandem-db/tandem/project"
)

// The JSON documents of tandem move. Field names are part of tandem's interface: add fields,
// never rename them.

// jsonBrokenMoves is the broken_moves member of a move command's document: the other moves
// whose files do not parse, filled in by cli.writeJSON.
type jsonBrokenMoves struct {
	BrokenMoves []jsonBrokenMove `json:"broken_moves,omitempty"`
}

func (b *jsonBrokenMoves) brokenMoves() *[]jsonBrokenMove { return &b.BrokenMoves }

// jsonBrokenMove is a move file that does not parse.
type jsonBrokenMove struct {
	Move     string                  `json:"move"`
	File     string                  `json:"file"`
	Problems []jsonDefinitionProblem `json:"problems"`
}

// jsonDefinitionProblem is one problem of a move's definition, or of opening it.
type jsonDefinitionProblem struct {
	Message string `json:"message"`
	File    string `json:"file,omitempty"`
	Line    int    `json:"line,omitempty"`
}

// jsonMoveState is a move's phase and switches.
type jsonMoveState struct {
	Move      string `json:"move"`
	Phase     string `json:"phase"`
	Switches  string `json:"switches"`
	Version   int64  `json:"version"`
	Epoch     int64  `json:"epoch"`
	Paused    bool   `json:"paused"`
	UpdatedAt string `json:"updated_at,omitempty"`
}

// jsonMoveStateDoc is the document of a phase change (start, advance, rollback, pause, resume).
type jsonMoveStateDoc struct {
	jsonMoveState
	jsonBrokenMoves
}

// jsonMoveStatus is the document of tandem move status NAME.
type jsonMoveStatus struct {
	jsonMoveState
	From             string               `json:"from"`
	To               string               `json:"to"`
	Shared           bool                 `json:"shared"`
	Acknowledged     []jsonHeartbeat      `json:"acknowledged"`
	Lagging          []jsonHeartbeat      `json:"lagging"`
	Checkpoint       jsonCheckpoint       `json:"checkpoint"`
	WritesHeld       string               `json:"writes_held,omitempty"`
	Tuned            *jsonTuned           `json:"tuned,omitempty"`
	Warnings         []string             `json:"warnings,omitempty"`
	LastVerification *jsonLastVerified    `json:"last_verification,omitempty"`
	Backfill         *jsonRunningBackfill `json:"backfill,omitempty"`
	jsonBrokenMoves
}

// jsonHeartbeat is an instance's acknowledgement of the move's epoch.
type jsonHeartbeat struct {
	Instance    string `json:"instance"`
	CodeVersion string `json:"code_version"`
	Epoch       int64  `json:"epoch"`
	SeenAt      string `json:"seen_at"`
}

// jsonCheckpoint is the backfill's checkpoint.
type jsonCheckpoint struct {
	RowsCopied  int64  `json:"rows_copied"`
	RowsScanned int64  `json:"rows_scanned"`
	Batches     int64  `json:"batches"`
	Total       int64  `json:"total"`
	Done        bool   `json:"done"`
	Bound       string `json:"bound,omitempty"`
	LastKey     string `json:"last_key,omitempty"`
	UpdatedAt   string `json:"updated_at,omitempty"`
}

// jsonCheckpointDoc is the document of tandem move backfill.
type jsonCheckpointDoc struct {
	jsonCheckpoint
	jsonBrokenMoves
}

// jsonTuned are the batch settings set with tandem move tune.
type jsonTuned struct {
	BatchSize int   `json:"batch_size"`
	TargetMS  int64 `json:"target_ms"`
	MaxRows   int   `json:"max_rows"`
}

// jsonTuneDoc is the document of tandem move tune.
type jsonTuneDoc struct {
	Move string `json:"move"`
	jsonTuned
	jsonBrokenMoves
}

// jsonLastVerified is the last verification's outcome.
type jsonLastVerified struct {
	At              string `json:"at"`
	OK              bool   `json:"ok"`
	RowsA           int64  `json:"rows_a"`
	RowsB           int64  `json:"rows_b"`
	Differences     int    `json:"differences"`
	DifferingChunks int    `json:"differing_chunks"`
	Method          string `json:"method"`
}

// jsonRunningBackfill is what a running (or the last) backfill reported.
type jsonRunningBackfill struct {
	Running    bool    `json:"running"`
	Holder     string  `json:"holder"`
	Workers    int     `json:"workers"`
	Rate       float64 `json:"rate"`
	ETASeconds float64 `json:"eta_s"`
	BatchSize  int     `json:"batch_size"`
	Throttled  string  `json:"throttled"`
	ReportedAt string  `json:"reported_at"`
}

// jsonCheckDoc is the document of tandem move check.
type jsonCheckDoc struct {
	Move     string             `json:"move"`
	OK       bool               `json:"ok"`
	Problems []jsonCheckProblem `json:"problems"`
	jsonBrokenMoves
}

// jsonCheckProblem is one problem the pre-flight check found.
type jsonCheckProblem struct {
	Kind    string `json:"kind"`
	Message string `json:"message"`
}

// jsonVerify is a verification's report: the document of tandem move verify.
type jsonVerify struct {
	Move        string           `json:"move"`
	OK          bool             `json:"ok"`
	Method      string           `json:"method"`
	Chunks      int              `json:"chunks"`
	RowsA       int64            `json:"rows_a"`
	RowsB       int64            `json:"rows_b"`
	Differences []jsonDifference `json:"differences"`
	Truncated   bool             `json:"truncated"`
	MS          int64            `json:"ms"`
	jsonBrokenMoves
}

// jsonDifference is one row that differs.
type jsonDifference struct {
	Key     string   `json:"key"`
	Kind    string   `json:"kind"`
	Columns []string `json:"columns,omitempty"`
}

// jsonRepairDoc is the document of tandem move repair.
type jsonRepairDoc struct {
	Move        string     `json:"move"`
	Differences int        `json:"differences"`
	Repaired    int        `json:"repaired"`
	Verify      jsonVerify `json:"verify"`
	jsonBrokenMoves
}

// jsonMoveList is the document of tandem move list.
type jsonMoveList struct {
	OK    bool             `json:"ok"`
	Moves []jsonListedMove `json:"moves"`
	jsonBrokenMoves
}

// jsonListedMove is one move of the listing: its state when it could be read.
type jsonListedMove struct {
	Move     string                  `json:"move"`
	File     string                  `json:"file"`
	OK       bool                    `json:"ok"`
	Problems []jsonDefinitionProblem `json:"problems"`
	*jsonMoveState
	From string `json:"from,omitempty"`
	To   string `json:"to,omitempty"`
}

func toJSONMoveState(st tandem.MoveState) jsonMoveState {
	j := jsonMoveState{Move: st.Move, Phase: string(st.Phase), Switches: st.Switches.String(), Version: st.Version, Epoch: st.Epoch, Paused: st.Paused}
	if !st.UpdatedAt.IsZero() {
		j.UpdatedAt = st.UpdatedAt.UTC().Format(time.RFC3339Nano)
	}
	return j
}

func toJSONHeartbeats(hs []tandem.Heartbeat, moveName string) []jsonHeartbeat {
	out := []jsonHeartbeat{}
	sort.Slice(hs, func(i, j int) bool { return hs[i].Instance < hs[j].Instance })
	for _, h := range hs {
		out = append(out, jsonHeartbeat{Instance: h.Instance, CodeVersion: h.CodeVersion, Epoch: h.Epochs[moveName], SeenAt: h.At.UTC().Format(time.RFC3339Nano)})
	}
	return out
}

func toJSONCheckpoint(cp move.Checkpoint) jsonCheckpoint {
	j := jsonCheckpoint{RowsCopied: cp.RowsCopied, RowsScanned: cp.RowsScanned, Batches: cp.Batches, Total: cp.Total, Done: cp.Done}
	if cp.Bound != nil {
		j.Bound = cp.Bound.String()
	}
	if cp.LastKey != nil {
		j.LastKey = cp.LastKey.String()
	}
	if !cp.UpdatedAt.IsZero() {
		j.UpdatedAt = cp.UpdatedAt.UTC().Format(time.RFC3339Nano)
	}
	return j
}

func toJSONTuned(t tandem.MoveBatchSettings) jsonTuned {
	return jsonTuned{BatchSize: t.Size, TargetMS: t.Target.Milliseconds(), MaxRows: t.MaxRows}
}

func toJSONVerify(rep *move.VerifyReport) jsonVerify {
	diffs := []jsonDifference{}
	for _, d := range rep.Differences {
		diffs = append(diffs, jsonDifference{Key: d.Key.String(), Kind: string(d.Kind), Columns: d.Columns})
	}
	return jsonVerify{Move: rep.Move, OK: rep.OK(), Method: rep.Method, Chunks: rep.Chunks, RowsA: rep.RowsA, RowsB: rep.RowsB,
		Differences: diffs, Truncated: rep.Truncated, MS: rep.Took.Milliseconds()}
}

func toJSONDefinitionProblems(ps []*project.FileError) []jsonDefinitionProblem {
	out := []jsonDefinitionProblem{}
	for _, p := range ps {
		out = append(out, jsonDefinitionProblem{Message: p.Err.Error(), File: p.File, Line: p.Line})
	}
	return out
}

// toJSONBroken renders broken move files for the broken_moves of a JSON document.
func toJSONBroken(bs []*tandem.BrokenMove) []jsonBrokenMove {
	out := []jsonBrokenMove{}
	for _, b := range bs {
		out = append(out, jsonBrokenMove{Move: b.Name, File: b.File, Problems: toJSONDefinitionProblems(project.MoveProblems(b))})
	}
	return out
}
