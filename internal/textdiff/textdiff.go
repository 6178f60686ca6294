// Package textdiff renders the unified diff of two texts, line by line, the way diff -u and git
// show it: three lines of context around each change, and hunk headers that say where each hunk
// sits in both texts.
//
// The edit script is computed with Myers' O(ND) algorithm in its linear-space form, so that two
// long, mostly different definitions cost memory proportional to their length, not to its square.
package textdiff

import (
	"fmt"
	"strings"
)

// Context is the number of unchanged lines shown around each change.
const Context = 3

// Unified returns the unified diff that turns a into b, with headers "--- fromLabel" and
// "+++ toLabel". It returns "" when the texts are equal. A last line without a newline is marked
// "\ No newline at end of file", as diff does, so that such a difference is visible.
func Unified(a, b, fromLabel, toLabel string) string {
	if a == b {
		return ""
	}
	x, y := splitLines(a), splitLines(b)
	ops := diffLines(x, y)
	var sb strings.Builder
	fmt.Fprintf(&sb, "--- %s\n+++ %s\n", fromLabel, toLabel)
	for _, h := range hunks(ops) {
		writeHunk(&sb, h, ops, x, y)
	}
	return sb.String()
}

// line is one line of a text, with its newline if it had one.
type line = string

// splitLines splits s after each newline, keeping the newlines, so that a missing final newline
// is a difference between two lines.
func splitLines(s string) []line {
	if s == "" {
		return nil
	}
	var out []line
	for s != "" {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			out = append(out, s)
			break
		}
		out = append(out, s[:i+1])
		s = s[i+1:]
	}
	return out
}

// opKind is one step of an edit script.
type opKind byte

const (
	opEqual opKind = iota
	opDelete
	opInsert
)

// op says what happens to one line: kept (x[I] == y[J]), deleted (x[I]) or inserted (y[J]).
type op struct {
	Kind opKind
	I, J int
}

// hunk is a range of ops [start, end) to print together.
type hunk struct{ start, end int }

// hunks groups the changed ops with up to Context equal lines on each side, merging groups whose
// context would touch or overlap.
func hunks(ops []op) []hunk {
	var out []hunk
	for i := 0; i < len(ops); {
		if ops[i].Kind == opEqual {
			i++
			continue
		}
		start := max(0, i-Context)
		// Extend over changes and over runs of equal lines short enough to keep in one hunk.
		end := i
		for end < len(ops) {
			if ops[end].Kind != opEqual {
				end++
				continue
			}
			run := end
			for run < len(ops) && ops[run].Kind == opEqual {
				run++
			}
			if run == len(ops) || run-end > 2*Context {
				end = min(end+Context, len(ops))
				break
			}
			end = run
		}
		out = append(out, hunk{start, end})
		i = end
	}
	return out
}

func writeHunk(sb *strings.Builder, h hunk, ops []op, x, y []line) {
	// Line numbers are 1-based; an empty range is numbered by the line before it, as diff does.
	aStart, bStart := -1, -1
	aLen, bLen := 0, 0
	for _, o := range ops[h.start:h.end] {
		switch o.Kind {
		case opEqual:
			if aStart < 0 {
				aStart = o.I
			}
			if bStart < 0 {
				bStart = o.J
			}
			aLen++
			bLen++
		case opDelete:
			if aStart < 0 {
				aStart = o.I
			}
			aLen++
		case opInsert:
			if bStart < 0 {
				bStart = o.J
			}
			bLen++
		}
	}
	if aStart < 0 {
		aStart = position(ops, h.start, true)
	}
	if bStart < 0 {
		bStart = position(ops, h.start, false)
	}
	fmt.Fprintf(sb, "@@ -%s +%s @@\n", rangeOf(aStart, aLen), rangeOf(bStart, bLen))
	for _, o := range ops[h.start:h.end] {
		switch o.Kind {
		case opEqual:
			writeLine(sb, ' ', x[o.I])
		case opDelete:
			writeLine(sb, '-', x[o.I])
		case opInsert:
			writeLine(sb, '+', y[o.J])
		}
	}
}

// position returns the 0-based index, in a (or b), of the first line at or after ops[k], for a
// hunk that holds no line of that text.
func position(ops []op, k int, inA bool) int {
	for _, o := range ops[k:] {
		if inA && o.Kind != opInsert {
			return o.I
		}
		if !inA && o.Kind != opDelete {
			return o.J
		}
	}
	n := 0
	for _, o := range ops {
		if inA && o.Kind != opInsert || !inA && o.Kind != opDelete {
			n++
		}
	}
	return n
}

// rangeOf renders a hunk range: "start,len" with a 1-based start, or "start" when len is 1. An
// empty range names the line before it.
func rangeOf(start, n int) string {
	switch n {
	case 0:
		return fmt.Sprintf("%d,0", start)
	case 1:
		return fmt.Sprintf("%d", start+1)
	}
	return fmt.Sprintf("%d,%d", start+1, n)
}

func writeLine(sb *strings.Builder, mark byte, l line) {
	sb.WriteByte(mark)
	sb.WriteString(l)
	if !strings.HasSuffix(l, "\n") {
		sb.WriteString("\n\\ No newline at end of file\n")
	}
}
