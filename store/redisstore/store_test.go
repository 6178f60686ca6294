package redisstore_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/store/redisstore"
	"github.com/tandem-db/tandem/store/storetest"
)

// defaultRedis is the server the tests use unless $TANDEM_TEST_REDIS names another.
const defaultRedis = "127.0.0.1:6379"

// client returns a client of the test server, skipping the test when it does not answer
// (failing instead when CI=true).
func client(t *testing.T) *redis.Client {
	t.Helper()
	addr := os.Getenv("TANDEM_TEST_REDIS")
	if addr == "" {
		addr = defaultRedis
	}
	opts := &redis.Options{Addr: addr}
	if strings.Contains(addr, "://") {
		var err error
		if opts, err = redis.ParseURL(addr); err != nil {
			t.Fatalf("$TANDEM_TEST_REDIS: %v", err)
		}
	}
	c := redis.NewClient(opts)
	t.Cleanup(func() { c.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		msg := "redisstore: Redis at " + addr + " unreachable (set $TANDEM_TEST_REDIS): " + err.Error()
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return c
}

// open returns a store with a random prefix of its own, whose keys are deleted when the test
// ends.
func open(t *testing.T) *redisstore.Store {
	t.Helper()
	c := client(t)
	var rnd [6]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		t.Fatal(err)
	}
	prefix := "tandemtest-" + hex.EncodeToString(rnd[:])
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		iter := c.Scan(ctx, 0, prefix+":*", 1000).Iterator()
		var keys []string
		for iter.Next(ctx) {
			keys = append(keys, iter.Val())
		}
		if err := iter.Err(); err != nil {
			t.Errorf("clean up %s:*: %v", prefix, err)
			return
		}
		if len(keys) > 0 {
			if err := c.Del(ctx, keys...).Err(); err != nil {
				t.Errorf("clean up %s:*: %v", prefix, err)
			}
		}
	})
	return redisstore.New(c, redisstore.Options{Prefix: prefix})
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) tandem.SwitchStore { return open(t) },
		storetest.RawWriter(func(ctx context.Context, s tandem.SwitchStore, move, sw string) error {
			return s.(*redisstore.Store).SetSwitchesRaw(ctx, move, sw)
		}))
}

// TestPlainGET holds the cross-language interface: after every transition, a plain GET of
// <prefix>:move:<name> returns exactly the four switch characters.
func TestPlainGET(t *testing.T) {
	ctx := context.Background()
	c := client(t)
	s := open(t)
	key := s.SwitchesKey("orders")
	if !strings.HasSuffix(key, ":move:orders") {
		t.Fatalf("SwitchesKey = %q, want <prefix>:move:orders", key)
	}
	if _, err := c.Get(ctx, key).Result(); !errors.Is(err, redis.Nil) {
		t.Fatalf("GET %s before any transition: %v, want no key (which means 1100)", key, err)
	}
	want := []string{"1101", "1101", "1101", "0111", "0011", "0011"}
	for i, to := range tandem.Phases[1:] {
		if _, err := s.Transition(ctx, "orders", int64(i), to, tandem.Transition{By: "test"}); err != nil {
			t.Fatal(err)
		}
		got, err := c.Get(ctx, key).Result()
		if err != nil {
			t.Fatalf("GET %s after the step to %s: %v", key, to, err)
		}
		if got != want[i] {
			t.Errorf("GET %s after the step to %s = %q, want %q", key, to, got, want[i])
		}
	}
	// A pause leaves the key alone; a rollback rewrites it.
	if _, err := s.SetPaused(ctx, "orders", true); err != nil {
		t.Fatal(err)
	}
	if got := c.Get(ctx, key).Val(); got != "0011" {
		t.Errorf("GET after a pause = %q, want 0011", got)
	}
}

// TestStateHash checks the fields of the state hash and the JSON of the audit list, which
// programs in other languages may read.
func TestStateHash(t *testing.T) {
	ctx := context.Background()
	c := client(t)
	s := open(t)
	st, err := s.Transition(ctx, "orders", 0, tandem.PhaseDualWrite, tandem.Transition{By: "alice", Reason: "go"})
	if err != nil {
		t.Fatal(err)
	}
	h, err := c.HGetAll(ctx, s.SwitchesKey("orders")+":state").Result()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"phase": "dual-write", "version": "1", "epoch": "1", "paused": "0", "updated_at": st.UpdatedAt.Format("2006-01-02T15:04:05.000000Z")}
	for k, v := range want {
		if h[k] != v {
			t.Errorf("state hash field %s = %q, want %q", k, h[k], v)
		}
	}
	if len(h) != len(want) {
		t.Errorf("state hash has fields %v, want exactly %v", h, want)
	}
	entries, err := c.LRange(ctx, s.SwitchesKey("orders")+":audit", 0, -1).Result()
	if err != nil {
		t.Fatal(err)
	}
	wantEntry := `{"move":"orders","from":"pending","to":"dual-write","version":1,"epoch":1,"by":"alice","reason":"go","forced":false,"at":"` + want["updated_at"] + `"}`
	if len(entries) != 1 || entries[0] != wantEntry {
		t.Errorf("audit list = %q, want [%s]", entries, wantEntry)
	}
}

// TestPublishedPayload: the channel carries the new state as JSON, for subscribers in any
// language.
func TestPublishedPayload(t *testing.T) {
	ctx := context.Background()
	c := client(t)
	s := open(t)
	ps := c.Subscribe(ctx, s.Channel())
	defer ps.Close()
	if _, err := ps.Receive(ctx); err != nil {
		t.Fatal(err)
	}
	st, err := s.SetPaused(ctx, "orders", true)
	if err != nil {
		t.Fatal(err)
	}
	rctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	m, err := ps.ReceiveMessage(rctx)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"move":"orders","phase":"pending","switches":"1100","version":1,"epoch":0,"paused":true,"updated_at":"` + st.UpdatedAt.Format("2006-01-02T15:04:05.000000Z") + `"}`
	if m.Payload != want {
		t.Errorf("published %s, want %s", m.Payload, want)
	}
}

// TestCorruptKey documents the guard's limit: the scripts refuse an illegal
// value, and a State read of a key someone SET by hand to garbage is an error, not a guess.
func TestCorruptKey(t *testing.T) {
	ctx := context.Background()
	c := client(t)
	s := open(t)
	if err := c.Set(ctx, s.SwitchesKey("orders"), "11", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.State(ctx, "orders"); err == nil || !strings.Contains(err.Error(), `"orders"`) {
		t.Errorf("State of a move whose key holds %q: error %v, want one that names the move", "11", err)
	}
	if err := s.SetSwitchesRaw(ctx, "orders", "1010"); !errors.Is(err, tandem.ErrIllegalSwitches) {
		t.Errorf("SetSwitchesRaw(1010): %v, want ErrIllegalSwitches", err)
	}
}

// TestUnreachable: an unreachable server gives an error that names its address and says what
// to check.
func TestUnreachable(t *testing.T) {
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, DialTimeout: 500 * time.Millisecond})
	defer c.Close()
	s := redisstore.New(c, redisstore.Options{})
	ctx := context.Background()
	calls := map[string]func() error{
		"State": func() error { _, err := s.State(ctx, "orders"); return err },
		"Transition": func() error {
			_, err := s.Transition(ctx, "orders", 0, tandem.PhaseDualWrite, tandem.Transition{})
			return err
		},
		"Subscribe": func() error { return s.Subscribe(ctx, func(tandem.MoveState) {}) },
		"Lease":     func() error { _, err := s.Lease(ctx, "r", "a", time.Second); return err },
		"Instances": func() error { _, err := s.Instances(ctx); return err },
	}
	for name, call := range calls {
		err := call()
		if err == nil {
			t.Errorf("%s against 127.0.0.1:1 succeeded", name)
			continue
		}
		for _, want := range []string{"cannot reach Redis at 127.0.0.1:1", "check that the server runs"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%s error %q does not contain %q", name, err, want)
			}
		}
		if strings.HasPrefix(err.Error(), "redisstore:") {
			t.Errorf("%s error %q starts with its package name", name, err)
		}
	}
}
