package open

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/internal/dburl"
	"github.com/tandem-db/tandem/move"
	"github.com/tandem-db/tandem/store/redisstore"
	"github.com/tandem-db/tandem/store/sqlstore"
)

// store opens the move's switch store: tables in B's database, or Redis. A redis:// URL may
// end in ?prefix=P to put the move's keys under P: instead of tandem: (the application must
// use the same prefix).
func (op *opener) store(def *tandem.MoveDefinition, b move.Side) (tandem.SwitchStore, error) {
	store, err := op.expand(def.Store)
	if err != nil {
		return nil, fmt.Errorf("move %s: %s: store: %w", def.Name, def.File, err)
	}
	switch {
	case store == "" || store == "sql":
		s, err := sqlstore.New(b.DB, b.Dialect, sqlstore.Options{Schema: b.Schema, PollInterval: op.o.StorePoll})
		if err != nil {
			return nil, fmt.Errorf("move %s: open the switch store in %s's database: %w", def.Name, b, err)
		}
		return s, nil
	case strings.HasPrefix(store, "redis://") || strings.HasPrefix(store, "rediss://"):
		opt, prefix, err := redisOptions(store)
		if err != nil {
			return nil, fmt.Errorf("move %s: %s: store %s: %w", def.Name, def.File, dburl.Redact(store), err)
		}
		client := redis.NewClient(opt)
		op.m.closers = append(op.m.closers, client.Close)
		return redisstore.New(client, redisstore.Options{Prefix: prefix}), nil
	}
	return nil, fmt.Errorf("move %s: %s: store %q: write sql (the default) or a redis:// URL", def.Name, def.File, dburl.Redact(def.Store))
}

// redisOptions reads a store URL: go-redis's URL, with tandem's prefix=P parameter and a
// password=P parameter that go-redis would refuse. Its errors never quote the URL.
func redisOptions(store string) (*redis.Options, string, error) {
	u, err := url.Parse(store)
	if err != nil {
		return nil, "", errors.New("not a valid URL: check the host and port, and percent-encode special characters in the user name and password")
	}
	q := u.Query()
	prefix := q.Get("prefix")
	q.Del("prefix")
	password, hasPassword := "", false
	for k, vs := range q {
		if !strings.EqualFold(k, "password") {
			continue
		}
		if _, ok := u.User.Password(); ok || len(vs) > 1 || hasPassword {
			return nil, "", errors.New("the password is given twice (in the user info and in the query, or twice in the query); keep one")
		}
		password, hasPassword = vs[0], true
		q.Del(k)
	}
	u.RawQuery = q.Encode()
	opt, err := redis.ParseURL(u.String())
	if err != nil {
		return nil, "", err
	}
	if hasPassword {
		opt.Password = password
	}
	return opt, prefix, nil
}
