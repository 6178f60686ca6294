// Command service is a small HTTP service that follows an online table move the way a real
// application does: every write goes through client.Mirror, every read goes to the table the
// move's switches name, and the switches come from the store the coordinator (tandem move, or
// coord.Driver) changes. It moves users (id, name, email) to accounts (id, full_name,
// email_lower) in one SQLite database. Run it with
//
//	go run ./examples/service [-db FILE] [-addr 127.0.0.1:8080] [-instance ID] [-shadow-rate 0.1]
//
// and try
//
//	curl -X PUT -d name=Ann -d email=Ann@Example.com localhost:8080/users/1
//	curl localhost:8080/users/1
//	curl localhost:8080/switches
//	curl localhost:8080/status
//
// While the move writes both tables (dual-write to read-b), a sample of the reads (-shadow-rate)
// is also compared with the other table through the move's mapping (client.Shadow), off the
// request path; GET /status shows the counts and the latest keys that differed.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"
)

// options configure the service; flags set them in main, tests set them directly.
type options struct {
	// DB is the SQLite file holding users, accounts and the move's switch store.
	DB string
	// Instance is the id this process reports to the fleet; "" lets the client choose one.
	Instance string
	// PollEvery is how often the switches are read from the store besides its notifications
	// (0: the client's and the store's defaults).
	PollEvery time.Duration
	// ShadowRate is the fraction of reads compared with the other table while the move writes
	// both (0: none).
	ShadowRate float64
	Log        *slog.Logger
}

func main() {
	var o options
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	flag.StringVar(&o.DB, "db", filepath.Join(os.TempDir(), "tandem-service.db"), "SQLite database file")
	flag.StringVar(&o.Instance, "instance", "", "instance id reported to the move's store (default host:pid:start)")
	flag.Float64Var(&o.ShadowRate, "shadow-rate", 0.1, "fraction of reads also compared with the other table while the move writes both, from 0 (off) to 1")
	flag.Parse()
	o.Log = slog.New(slog.NewTextHandler(os.Stderr, nil))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := serve(ctx, *addr, o); err != nil {
		log.Fatal(err)
	}
}

// serve runs the service on addr until ctx ends, then drains the requests in flight.
func serve(ctx context.Context, addr string, o options) error {
	h, cleanup, err := run(ctx, o)
	if err != nil {
		return err
	}
	defer cleanup()
	srv := &http.Server{Addr: addr, Handler: h, ReadHeaderTimeout: 5 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	o.Log.Info("serving", "addr", addr, "db", o.DB)
	select {
	case err := <-errc:
		return fmt.Errorf("service: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("service: shut down: %w", err)
	}
	return nil
}
