// Command compare applies the same folder of numbered goose migrations to fresh PostgreSQL
// databases with tandem (library and binary) and with goose (library), several times each,
// and prints a side-by-side table of the median, fastest and slowest runs.
//
//	go run ./cmd/compare [-n 1000] [-runs 5]
//
// The server is $TANDEM_TEST_POSTGRES (default postgres://postgres@127.0.0.1:5432/postgres).
// Runs of the tools are interleaved, so that a slow moment of the machine does not fall on one
// tool only.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/tandem-db/tandem/bench"
)

func main() {
	n := flag.Int("n", 1000, "how many migrations to generate")
	runs := flag.Int("runs", 5, "runs of each tool")
	trace := flag.Bool("trace", false, "after the table, run each library once more and list its round trips by kind of statement")
	flag.Parse()
	if err := run(context.Background(), os.Stdout, *n, *runs, *trace); err != nil {
		fmt.Fprintf(os.Stderr, "compare: %v\n", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, w io.Writer, n, runs int, trace bool) error {
	server := bench.Server()
	if err := bench.Ping(ctx, server); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "tandem-compare-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	dir := filepath.Join(tmp, "migrations")
	if err := bench.Generate(dir, n); err != nil {
		return err
	}
	bin, err := bench.BuildCLI(tmp)
	if err != nil {
		return err
	}
	tools := bench.Tools(bin, n)
	times := make([][]time.Duration, len(tools))
	for r := 0; r < runs; r++ {
		for i, tool := range tools {
			took, err := bench.Once(ctx, server, dir, n, tool)
			if err != nil {
				return fmt.Errorf("%s, run %d: %w", tool.Name, r+1, err)
			}
			times[i] = append(times[i], took)
		}
	}
	fmt.Fprintf(w, "%d goose migrations on PostgreSQL, fresh database per run, %d runs each\n\n", n, runs)
	fmt.Fprintf(w, "| %-10s | %10s | %10s | %10s | %14s |\n", "tool", "median ms", "min ms", "max ms", "migrations/s")
	fmt.Fprintf(w, "|%s|%s|%s|%s|%s|\n", dashes(12), dashes(12), dashes(12), dashes(12), dashes(16))
	for i, tool := range tools {
		ts := slices.Clone(times[i])
		slices.Sort(ts)
		med := ts[len(ts)/2]
		if len(ts)%2 == 0 {
			med = (ts[len(ts)/2-1] + ts[len(ts)/2]) / 2
		}
		fmt.Fprintf(w, "| %-10s | %10.0f | %10.0f | %10.0f | %14.0f |\n", tool.Name, ms(med), ms(ts[0]), ms(ts[len(ts)-1]), float64(n)/med.Seconds())
	}
	if !trace {
		return nil
	}
	for _, tool := range tools {
		if tool.Name == "tandem-cli" {
			continue // another process: its connections cannot be counted from here
		}
		var took time.Duration
		tr, err := bench.Traced(func() error {
			var err error
			took, err = bench.Once(ctx, server, dir, n, tool)
			return err
		})
		if err != nil {
			return fmt.Errorf("%s, traced run: %w", tool.Name, err)
		}
		fmt.Fprintf(w, "\n%s, one traced run (%.0f ms), round trips by statement:\n", tool.Name, ms(took))
		tr.Print(w)
	}
	return nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func dashes(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = '-'
	}
	return string(b)
}
