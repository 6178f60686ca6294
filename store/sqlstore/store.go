package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/tandem-db/tandem"
)

// Options configure a Store.
type Options struct {
	// Schema holds the tables; "" means the connection's default schema (ignored by SQLite).
	// It is created if it does not exist.
	Schema string
	// PollInterval is how often Subscribe reads the moves table; default 200ms.
	PollInterval time.Duration
}

// Store is a tandem.SwitchStore in SQL tables. It is safe for concurrent use.
type Store struct {
	db   *sql.DB
	d    tandem.Dialect
	poll time.Duration
	q    queries
}

var _ tandem.SwitchStore = (*Store)(nil)

// New returns a store in db, creating its tables if they are missing and checking that the
// database enforces the CHECK constraint on switches.
func New(db *sql.DB, d tandem.Dialect, o Options) (*Store, error) {
	if o.PollInterval <= 0 {
		o.PollInterval = 200 * time.Millisecond
	}
	f := flavorOf(d)
	s := &Store{db: db, d: d, poll: o.PollInterval, q: buildQueries(d, f, o.Schema)}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := s.createTables(ctx, f, o.Schema); err != nil {
		return nil, err
	}
	if err := s.checkEnforced(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// maxNameLen bounds move names: they are keys of VARCHAR(255) columns, and the same names must
// work in the Redis store.
const maxNameLen = 128

// checkMove refuses the move names that the Redis store refuses, so that a move can go from one
// store to the other.
func checkMove(move string) error {
	switch {
	case move == "":
		return errors.New("empty move name")
	case len(move) > maxNameLen:
		return fmt.Errorf("move name %.20q... is %d bytes; the limit is %d", move, len(move), maxNameLen)
	case !utf8.ValidString(move):
		return fmt.Errorf("move name %q is not valid UTF-8", move)
	case strings.ContainsFunc(move, func(r rune) bool { return r == ':' || unicode.IsSpace(r) || unicode.IsControl(r) }):
		return fmt.Errorf("move name %q contains a colon, a space or a control character; use letters, digits and - _ . { }", move)
	}
	return nil
}

// checkKey refuses keys that do not fit the VARCHAR(255) key columns.
func checkKey(what, key string) error {
	if key == "" {
		return fmt.Errorf("empty %s", what)
	}
	if len(key) > 255 {
		return fmt.Errorf("%s %.20q... is %d bytes; the limit is 255", what, key, len(key))
	}
	return nil
}

// now is the store's clock: UTC at microsecond precision, as stored.
func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// fromMicros turns a stored time back into a time.Time.
func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

// boolInt stores a bool as 0 or 1, which every engine's SMALLINT holds.
func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
