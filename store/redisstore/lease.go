package redisstore

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Lease takes the lease on resource for holder with SET NX PX, or, when a lease exists,
// renews it if holder holds it (a Lua compare-and-set on the holder). It reports false when
// another holder's lease has not expired. Expiry is Redis's own clock.
func (s *Store) Lease(ctx context.Context, resource, holder string, ttl time.Duration) (bool, error) {
	if resource == "" || holder == "" {
		return false, fmt.Errorf("lease of %q for %q: resource and holder must not be empty", resource, holder)
	}
	if ttl < time.Millisecond {
		return false, fmt.Errorf("lease of %q: time to live %v is below the 1ms Redis can keep", resource, ttl)
	}
	op := fmt.Sprintf("lease %q for %q", resource, holder)
	key := s.leaseKey(resource)
	ok, err := s.c.SetNX(ctx, key, holder, ttl).Result()
	if err != nil {
		return false, s.wrap(op, err)
	}
	if ok {
		return true, nil
	}
	n, err := renewScript.Run(ctx, s.c, []string{key}, holder, ttl.Milliseconds()).Int()
	if err != nil {
		return false, s.wrap(op, err)
	}
	if n == 1 {
		return true, nil
	}
	// The lease may have expired between SET NX and the script; then it is free again.
	if ok, err = s.c.SetNX(ctx, key, holder, ttl).Result(); err != nil {
		return false, s.wrap(op, err)
	}
	return ok, nil
}

// Release gives up the lease on resource if holder holds it; otherwise it does nothing.
func (s *Store) Release(ctx context.Context, resource, holder string) error {
	if resource == "" || holder == "" {
		return errors.New("release: resource and holder must not be empty")
	}
	if err := releaseScript.Run(ctx, s.c, []string{s.leaseKey(resource)}, holder).Err(); err != nil {
		return s.wrap(fmt.Sprintf("release %q for %q", resource, holder), err)
	}
	return nil
}
