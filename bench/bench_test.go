package bench

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// migrations is how many goose migrations BenchmarkDeploy1000 applies.
const migrations = 1000

// BenchmarkDeploy1000 applies 1,000 goose migrations to a fresh PostgreSQL database per
// iteration, with tandem's library, tandem's binary and goose's library. Creating and dropping
// the database is not timed. It reports migrations/s besides ns/op.
func BenchmarkDeploy1000(b *testing.B) {
	ctx := context.Background()
	server := Server()
	if err := Ping(ctx, server); err != nil {
		if os.Getenv("CI") == "true" {
			b.Fatal(err)
		}
		b.Skip(err)
	}
	dir := filepath.Join(b.TempDir(), "migrations")
	if err := Generate(dir, migrations); err != nil {
		b.Fatal(err)
	}
	bin, err := BuildCLI(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	for _, tool := range Tools(bin, migrations) {
		b.Run(tool.Name, func(b *testing.B) {
			var total float64
			for b.Loop() {
				b.StopTimer()
				dbURL, drop, err := Fresh(ctx, server)
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				err = tool.Run(ctx, dir, dbURL)
				b.StopTimer()
				if err == nil {
					err = Check(ctx, dbURL, migrations)
				}
				if derr := drop(); derr != nil && err == nil {
					err = derr
				}
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				total += migrations
			}
			b.ReportMetric(total/b.Elapsed().Seconds(), "migrations/s")
		})
	}
}

// TestToolsApplyEveryMigration runs each tool once on a small folder, so that "go test" in
// this module checks that the benchmark measures working deploys.
func TestToolsApplyEveryMigration(t *testing.T) {
	ctx := context.Background()
	server := Server()
	if err := Ping(ctx, server); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	const n = 12
	dir := filepath.Join(t.TempDir(), "migrations")
	if err := Generate(dir, n); err != nil {
		t.Fatal(err)
	}
	bin, err := BuildCLI(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, tool := range Tools(bin, n) {
		t.Run(tool.Name, func(t *testing.T) {
			if _, err := Once(ctx, server, dir, n, tool); err != nil {
				t.Fatal(err)
			}
		})
	}
}
