// Command embedded shows tandem used as a library: the schema is compiled into the program with
// the go:embed directive and deployed at start-up, before the program serves anything. Run it with
//
//	go run ./examples/embedded [database-file]
package main

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"log"
	"log/slog"
	"os"
	"path/filepath"

	_ "modernc.org/sqlite"

	"github.com/tandem-db/tandem/deploy"
	"github.com/tandem-db/tandem/dialect/sqlite"
	"github.com/tandem-db/tandem/project"
)

//go:embed schema
var schema embed.FS

func main() {
	path := filepath.Join(os.TempDir(), "tandem-embedded.db")
	if len(os.Args) > 1 {
		path = os.Args[1]
	}
	if err := run(context.Background(), path); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, path string) error {
	fsys, err := fs.Sub(schema, "schema")
	if err != nil {
		return err
	}
	p, err := project.Load(fsys, project.Options{})
	if err != nil {
		return err
	}
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_txlock=immediate")
	if err != nil {
		return err
	}
	defer db.Close()
	e := &deploy.Engine{
		DB:      db,
		Dialect: sqlite.New(),
		Env:     &p.Config.Environments[0],
		Log:     slog.New(slog.NewTextHandler(os.Stderr, nil)),
		App:     "embedded-example 1.0",
	}
	res, err := e.Deploy(ctx, p, deploy.Options{})
	if err != nil {
		return err
	}
	fmt.Printf("schema up to date in %s (%d steps this time)\n", path, len(res.Steps))
	var n int
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM status_codes").Scan(&n); err != nil {
		return err
	}
	fmt.Printf("status_codes has %d rows\n", n)
	return nil
}
