package main

import (
	"time"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/deploy"
	"github.com/tandem-db/tandem/plan"
)

// The JSON documents printed with --json. Field names are part of tandem's interface: add
// fields, never rename them.

type jsonStep struct {
	Action string `json:"action"`
	Object string `json:"object"`
	Change string `json:"change,omitempty"`
	File   string `json:"file,omitempty"`
	Reason string `json:"reason,omitempty"`
	SQL    string `json:"sql,omitempty"`
	Detail string `json:"detail,omitempty"`
	Millis int64  `json:"ms,omitempty"`
}

type jsonProblem struct {
	Kind   string `json:"kind"`
	Object string `json:"object"`
	Change string `json:"change"`
	File   string `json:"file"`
	Line   int    `json:"line"`
	Diff   string `json:"diff,omitempty"`
	Hint   string `json:"hint,omitempty"`
	// HintCode and Advice: the kind of way out, and how to take it with tandem's flags and
	// commands (see hints.go).
	HintCode string `json:"hint_code,omitempty"`
	Advice   string `json:"advice,omitempty"`
	Reason   string `json:"reason,omitempty"`
}

func toJSONStep(st plan.Step) jsonStep {
	j := jsonStep{Action: string(st.Action), Object: st.Key.String(), Reason: st.Reason, File: stepWhere(st)}
	if st.Node != nil {
		j.Object, j.Change = st.Node.Object.Key.String(), st.Node.Change.Name
		if st.Action == plan.ActionApply || st.Action == plan.ActionDeploy {
			j.SQL = st.Node.SQL
		}
	}
	return j
}

func toJSONProblems(ps []plan.Problem) []jsonProblem {
	out := []jsonProblem{}
	for _, p := range ps {
		j := jsonProblem{Kind: string(p.Kind), Object: p.Key.String(), Change: p.Change, File: p.File, Line: p.Line, Diff: p.Diff, Hint: p.Hint, Reason: p.Reason}
		if p.HintCode != "" {
			j.HintCode, j.Advice = string(p.HintCode), advice(tandem.Hint{Code: p.HintCode, Text: p.Hint}, "")
		}
		out = append(out, j)
	}
	return out
}

func jsonPlan(pv *deploy.Preview) any {
	steps := []jsonStep{}
	for i, st := range pv.Plan.Steps {
		j := toJSONStep(st)
		j.Detail = pv.DataCounts[i]
		steps = append(steps, j)
	}
	return struct {
		Steps    []jsonStep         `json:"steps"`
		Problems []jsonProblem      `json:"problems"`
		Deferred []jsonDeferredStep `json:"deferred"`
	}{steps, toJSONProblems(pv.Plan.Problems), jsonDeferred(pv.Plan.Deferred)}
}

// jsonResultDoc is what a command that writes to the database did.
type jsonResultDoc struct {
	Command  string             `json:"command"`
	Run      int64              `json:"run"`
	Steps    []jsonStep         `json:"steps"`
	Deferred []jsonDeferredStep `json:"deferred"`
}

func jsonResult(what string, res *deploy.Result) jsonResultDoc {
	steps := []jsonStep{}
	for _, s := range res.Steps {
		j := toJSONStep(s.Step)
		j.SQL = ""
		j.Detail, j.Millis = s.Detail, s.Duration.Milliseconds()
		steps = append(steps, j)
	}
	return jsonResultDoc{Command: what, Run: res.RunID, Steps: steps, Deferred: jsonDeferred(res.Deferred)}
}

func jsonStatus(st *deploy.Status) any {
	pending := []jsonStep{}
	for _, s := range st.Preview.Plan.Steps {
		j := toJSONStep(s)
		j.SQL = ""
		pending = append(pending, j)
	}
	type rec struct {
		Object  string `json:"object"`
		Change  string `json:"change"`
		Status  string `json:"status"`
		Hash    string `json:"hash"`
		Run     int64  `json:"run"`
		At      string `json:"at"`
		By      string `json:"by"`
		File    string `json:"file,omitempty"`
		Applied int    `json:"statements_applied,omitempty"`
	}
	deployed := []rec{}
	for _, r := range st.Records {
		deployed = append(deployed, rec{Object: r.Key().String(), Change: r.Change, Status: string(r.Status), Hash: r.Hash, Run: r.RunID,
			At: r.AppliedAt.UTC().Format("2006-01-02T15:04:05Z"), By: r.AppliedBy, File: r.File, Applied: r.Done})
	}
	return struct {
		UpToDate bool               `json:"up_to_date"`
		Deployed []rec              `json:"deployed"`
		Pending  []jsonStep         `json:"pending"`
		Problems []jsonProblem      `json:"problems"`
		Runs     []jsonRun          `json:"runs"`
		Deferred []jsonDeferredStep `json:"deferred"`
	}{st.UpToDate(), deployed, pending, toJSONProblems(st.Preview.Plan.Problems), jsonRuns(st.Runs), jsonDeferred(st.Preview.Plan.Deferred)}
}

func jsonGraph(g *plan.Graph) any {
	nodes := []string{}
	for _, n := range g.Nodes {
		nodes = append(nodes, n.Change.ID())
	}
	return struct {
		Nodes []string `json:"nodes"`
		Edges any      `json:"edges"`
	}{nodes, jsonEdges(g.Edges)}
}

func jsonEdges(edges []*plan.Edge) any {
	type edge struct {
		From  string `json:"from"`
		To    string `json:"to"`
		Kind  string `json:"kind"`
		Ident string `json:"ident,omitempty"`
		File  string `json:"file,omitempty"`
		Line  int    `json:"line,omitempty"`
	}
	out := []edge{}
	for _, e := range edges {
		out = append(out, edge{From: e.From.Change.ID(), To: e.To.Change.ID(), Kind: string(e.Kind), Ident: e.Ident, File: e.File, Line: e.Line})
	}
	return out
}

type jsonRun struct {
	ID          int64  `json:"id"`
	Environment string `json:"environment"`
	Command     string `json:"command"`
	Tag         string `json:"tag,omitempty"`
	Started     string `json:"started_at"`
	Ended       string `json:"ended_at,omitempty"`
	Status      string `json:"status"`
	User        string `json:"user"`
	Host        string `json:"host"`
	Tool        string `json:"tool_version"`
	App         string `json:"app_version,omitempty"`
	Detail      string `json:"detail,omitempty"`
}

func jsonRuns(runs []tandem.Run) []jsonRun {
	out := []jsonRun{}
	for _, r := range runs {
		j := jsonRun{ID: r.ID, Environment: r.Environment, Command: r.Command, Tag: r.Tag, Status: r.Status,
			User: r.User, Host: r.Host, Tool: r.Tool, App: r.App, Detail: r.Detail,
			Started: r.Started.UTC().Format(time.RFC3339Nano)}
		if !r.Ended.IsZero() {
			j.Ended = r.Ended.UTC().Format(time.RFC3339Nano)
		}
		out = append(out, j)
	}
	return out
}
