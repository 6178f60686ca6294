package redisstore

import (
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/redis/go-redis/v9"

	"github.com/tandem-db/tandem"
)

// Options configure a Store.
type Options struct {
	// Prefix starts every key and the channel; default "tandem". Two programs that share a
	// Redis but not their moves use different prefixes.
	Prefix string
}

// Store is a tandem.SwitchStore in Redis. It is safe for concurrent use.
type Store struct {
	c      redis.UniversalClient
	prefix string
}

var _ tandem.SwitchStore = (*Store)(nil)

// New returns a store that uses client. It does not contact the server: the first call does,
// and an unreachable server gives an error that names its address.
func New(client redis.UniversalClient, o Options) *Store {
	if o.Prefix == "" {
		o.Prefix = "tandem"
	}
	return &Store{c: client, prefix: o.Prefix}
}

// SwitchesKey returns the key that holds a move's switches: the one key an application in any
// language reads with GET.
func (s *Store) SwitchesKey(move string) string { return s.prefix + ":move:" + move }

// Channel returns the pub/sub channel that every change of a move is published on.
func (s *Store) Channel() string { return s.prefix + ":moves" }

func (s *Store) stateKey(move string) string     { return s.SwitchesKey(move) + ":state" }
func (s *Store) auditKey(move string) string     { return s.SwitchesKey(move) + ":audit" }
func (s *Store) instanceKey(id string) string    { return s.prefix + ":instance:" + id }
func (s *Store) instancesKey() string            { return s.prefix + ":instances" }
func (s *Store) leaseKey(resource string) string { return s.prefix + ":lease:" + resource }

// maxNameLen bounds move names, so that they also fit the SQL store's key columns.
const maxNameLen = 128

// checkMove refuses a move name whose keys could collide with another move's keys, or that
// could not be written on a command line.
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

// timeFormat writes times at a fixed width, so that they sort as text.
const timeFormat = "2006-01-02T15:04:05.000000Z07:00"

// now is the store's clock: UTC at microsecond precision, as stored.
func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// wrap adds the operation to err and, when the server could not be reached, its address and
// what to check.
func (s *Store) wrap(op string, err error) error {
	var ne net.Error
	if errors.As(err, &ne) {
		return fmt.Errorf("%s: cannot reach Redis at %s (check that the server runs there and that the client's address, password and TLS settings are right): %w", op, s.addr(), err)
	}
	return fmt.Errorf("%s: %w", op, err)
}

// addr names the server(s) the client talks to.
func (s *Store) addr() string {
	switch c := s.c.(type) {
	case *redis.Client:
		return c.Options().Addr
	case *redis.ClusterClient:
		return strings.Join(c.Options().Addrs, ",")
	case *redis.Ring:
		var addrs []string
		for _, a := range c.Options().Addrs {
			addrs = append(addrs, a)
		}
		slices.Sort(addrs)
		return strings.Join(addrs, ",")
	}
	return "the client's address"
}
