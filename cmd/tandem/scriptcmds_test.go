package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/rogpeppe/go-internal/testscript"
)

// defaultRedis is the Redis server scripts use unless $TANDEM_TEST_REDIS names another
// (host:port, or a redis:// URL without a query).
const defaultRedis = "127.0.0.1:6379"

// redisURL returns the test server's redis:// URL.
func redisURL() string {
	raw := os.Getenv("TANDEM_TEST_REDIS")
	if raw == "" {
		raw = defaultRedis
	}
	if !strings.Contains(raw, "://") {
		raw = "redis://" + raw + "/0"
	}
	return raw
}

func redisClient() (*redis.Client, error) {
	opt, err := redis.ParseURL(redisURL())
	if err != nil {
		return nil, fmt.Errorf("$TANDEM_TEST_REDIS: %w", err)
	}
	return redis.NewClient(opt), nil
}

// pingRedis reports whether the test Redis answers.
func pingRedis() error {
	c, err := redisClient()
	if err != nil {
		return err
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("redis server %s unreachable (set $TANDEM_TEST_REDIS): %w", c.Options().Addr, err)
	}
	return nil
}

// setupRedis gives the script the server's host:port in $REDISADDR and a key prefix of its own, $REDISPREFIX, whose keys
// are deleted when the script ends, so that runs never see each other's moves.
func setupRedis(env *testscript.Env) error {
	var rnd [6]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return err
	}
	prefix := "tandemtest-" + hex.EncodeToString(rnd[:])
	opt, err := redis.ParseURL(redisURL())
	if err != nil {
		return fmt.Errorf("$TANDEM_TEST_REDIS: %w", err)
	}
	env.Setenv("REDISADDR", opt.Addr)
	env.Setenv("REDISPREFIX", prefix)
	env.Defer(func() {
		c, err := redisClient()
		if err != nil {
			return
		}
		defer c.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		iter := c.Scan(ctx, 0, prefix+":*", 1000).Iterator()
		var keys []string
		for iter.Next(ctx) {
			keys = append(keys, iter.Val())
		}
		if len(keys) > 0 {
			c.Del(ctx, keys...)
		}
	})
	return nil
}

// freeAddr returns a local TCP address that is free now.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// cmdRedis runs one command on the test Redis and writes its reply to stdout, one line; a
// missing key prints (nil):
//
//	redis GET tandemtest-x:move:m
func cmdRedis(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) == 0 {
		ts.Fatalf("usage: redis COMMAND [ARGS...]")
	}
	c, err := redisClient()
	if err != nil {
		ts.Fatalf("redis: %v", err)
	}
	defer c.Close()
	cmdArgs := make([]any, len(args))
	for i, a := range args {
		cmdArgs[i] = a
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	v, err := c.Do(ctx, cmdArgs...).Result()
	switch {
	case err == redis.Nil:
		fmt.Fprintln(ts.Stdout(), "(nil)")
	case err != nil:
		ts.Fatalf("redis %s: %v", strings.Join(args, " "), err)
	default:
		fmt.Fprintln(ts.Stdout(), v)
	}
}

// cmdHTTPGet fetches URL until its body matches REGEXP (for up to 20 seconds: the server may
// still be starting) and writes the body to stdout:
//
//	httpget URL REGEXP
func cmdHTTPGet(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: httpget URL REGEXP")
	}
	re, err := regexp.Compile(args[1])
	if err != nil {
		ts.Fatalf("httpget: %v", err)
	}
	client := &http.Client{Timeout: 5 * time.Second}
	deadline := time.Now().Add(20 * time.Second)
	last := ""
	for {
		resp, err := client.Get(args[0])
		if err == nil {
			body, rerr := io.ReadAll(resp.Body)
			resp.Body.Close()
			last = fmt.Sprintf("status %s, body:\n%s", resp.Status, body)
			if rerr == nil && resp.StatusCode == http.StatusOK && re.Match(body) {
				ts.Stdout().Write(body)
				return
			}
		} else {
			last = err.Error()
		}
		if time.Now().After(deadline) {
			ts.Fatalf("httpget %s: no match for %s within 20s; last: %s", args[0], args[1], last)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
