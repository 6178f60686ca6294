package client_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/client"
	"github.com/tandem-db/tandem/dialect/sqlite"
	"github.com/tandem-db/tandem/internal/testdb"
	"github.com/tandem-db/tandem/store/redisstore"
	"github.com/tandem-db/tandem/store/sqlstore"
)

// stores runs fn against the embedded SQL store and a Redis store.
func stores(t *testing.T, fn func(t *testing.T, s tandem.SwitchStore)) {
	t.Run("sql", func(t *testing.T) {
		s, err := sqlstore.New(testdb.Open(t, testdb.SQLite(t)), sqlite.New(), sqlstore.Options{PollInterval: 50 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		fn(t, s)
	})
	t.Run("redis", func(t *testing.T) {
		fn(t, redisstore.New(redisClient(t, "127.0.0.1:6379"), redisstore.Options{Prefix: fmt.Sprintf("tandemtest%d", time.Now().UnixNano())}))
	})
}

func redisClient(t *testing.T, addr string) *redis.Client {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, DialTimeout: 300 * time.Millisecond})
	t.Cleanup(func() { c.Close() })
	if err := c.Ping(context.Background()).Err(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("Redis at %s: %v", addr, err)
		}
		t.Skipf("no Redis at %s: %v", addr, err)
	}
	return c
}

// eventually polls cond for up to d.
func eventually(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %s", d, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestSwitchesFollowTheStoreAndInstancesAcknowledge(t *testing.T) {
	stores(t, func(t *testing.T, s tandem.SwitchStore) {
		ctx := context.Background()
		c, err := client.New(ctx, s, client.Options{Instance: "web-1", CodeVersion: "1.2.3", HeartbeatEvery: 100 * time.Millisecond, PollEvery: 500 * time.Millisecond}, "users_v2")
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if got := c.Switches("users_v2").String(); got != "1100" {
			t.Fatalf("initial switches %s, want 1100", got)
		}
		st, err := s.Transition(ctx, "users_v2", 0, tandem.PhaseDualWrite, tandem.Transition{By: "test", Reason: "go"})
		if err != nil {
			t.Fatal(err)
		}
		eventually(t, time.Second, "switches did not become 1101 within a second", func() bool { return c.Switches("users_v2").String() == "1101" })
		eventually(t, 2*time.Second, "the instance did not acknowledge the new epoch", func() bool {
			hs, err := s.Instances(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, h := range hs {
				if h.Instance == "web-1" && h.CodeVersion == "1.2.3" && h.Epochs["users_v2"] == st.Epoch {
					return true
				}
			}
			return false
		})
		if _, err := c.State("nope"); !errors.Is(err, client.ErrUnknownMove) {
			t.Errorf("State of an unknown move: %v", err)
		}
	})
}

// startRedis starts a private Redis server that the test may stop and restart.
func startRedis(t *testing.T, port int) *exec.Cmd {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("redis-server not installed")
		}
		t.Skip("redis-server not installed")
	}
	cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	eventually(t, 5*time.Second, "private redis did not start", func() bool {
		conn, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err == nil {
			conn.Close()
		}
		return err == nil
	})
	return cmd
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// An instance that loses the store keeps the last switches it knew, and follows again once the
// store is back (a Redis restart loses Redis's data; the coordinator writes the state again).
func TestLastKnownSwitchesSurviveAStoreOutage(t *testing.T) {
	port := freePort(t)
	srv := startRedis(t, port)
	ctx := context.Background()
	s := redisstore.New(redisClient(t, fmt.Sprintf("127.0.0.1:%d", port)), redisstore.Options{})
	c, err := client.New(ctx, s, client.Options{HeartbeatEvery: 50 * time.Millisecond, PollEvery: 50 * time.Millisecond}, "m")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	st, _ := s.State(ctx, "m")
	for _, p := range []tandem.Phase{tandem.PhaseDualWrite, tandem.PhaseBackfill, tandem.PhaseVerified, tandem.PhaseReadB, tandem.PhaseWriteB} {
		if st, err = s.Transition(ctx, "m", st.Version, p, tandem.Transition{By: "test"}); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, time.Second, "switches did not reach 0011", func() bool { return c.Switches("m").String() == "0011" })

	_ = srv.Process.Kill()
	_ = srv.Wait()
	time.Sleep(300 * time.Millisecond) // several failed polls and heartbeats
	if got := c.Switches("m").String(); got != "0011" {
		t.Fatalf("while the store is down, switches are %s; they must stay 0011 (B is authoritative)", got)
	}

	startRedis(t, port) // empty: a restarted Redis forgot every key
	time.Sleep(300 * time.Millisecond)
	if got := c.Switches("m").String(); got != "0011" {
		t.Fatalf("after the restart, the empty store's version 0 must not roll switches back; got %s", got)
	}
}

func BenchmarkSwitches(b *testing.B) {
	s, err := sqlstore.New(testdb.Open(b, testdb.SQLite(b)), sqlite.New(), sqlstore.Options{})
	if err != nil {
		b.Fatal(err)
	}
	c, err := client.New(context.Background(), s, client.Options{}, "users_v2")
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if !c.Switches("users_v2").WriteA {
				b.Fatal("wrong switches")
			}
		}
	})
}
