package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"sync/atomic"
	"time"

	"github.com/tandem-db/tandem"
)

// Options configure a Client. Zero values take the defaults.
type Options struct {
	// Instance identifies this process in the fleet; default host:pid:start-time.
	Instance string
	// CodeVersion is the application's version, shown by tandem move status.
	CodeVersion string
	// HeartbeatEvery is how often the instance reports itself (default 2s); TTL is how long a
	// report counts (default 5 × HeartbeatEvery).
	HeartbeatEvery, TTL time.Duration
	// PollEvery is how often states are read even without a notification (default 1s), so that a
	// lost notification delays a change by at most this long.
	PollEvery time.Duration
	Log       *slog.Logger
}

// Client follows the switches of some moves for one application instance. It is safe for
// concurrent use.
type Client struct {
	store tandem.SwitchStore
	opts  Options
	moves map[string]*entry // fixed at New: reads need no lock

	cancel context.CancelFunc
	done   chan struct{}
	beat   chan struct{} // asks the heartbeat loop to report now (after an epoch change)
	closed atomic.Bool
}

// entry is the cached state of one move.
type entry struct {
	switches atomic.Uint32 // bits: read A, write A, read B, write B
	state    atomic.Pointer[tandem.MoveState]
}

// ErrUnknownMove is returned (or panicked with, in Switches) for a move the Client was not
// created with.
var ErrUnknownMove = errors.New("move not followed by this client; name it in client.New")

// New registers the instance and reads the current state of every move. It fails when the store
// cannot be reached: an instance that never knew the switches cannot know which table is
// authoritative, so it must not start.
func New(ctx context.Context, store tandem.SwitchStore, o Options, moves ...string) (*Client, error) {
	if len(moves) == 0 {
		return nil, errors.New("name at least one move to follow")
	}
	o = o.withDefaults()
	c := &Client{store: store, opts: o, moves: map[string]*entry{}, done: make(chan struct{}), beat: make(chan struct{}, 1)}
	for _, m := range moves {
		st, err := store.State(ctx, m)
		if err != nil {
			return nil, fmt.Errorf("read the switches of move %s: %w", m, err)
		}
		e := &entry{}
		e.set(st)
		c.moves[m] = e
	}
	if err := store.Heartbeat(ctx, c.heartbeat(), o.TTL); err != nil {
		return nil, fmt.Errorf("register instance %s: %w", o.Instance, err)
	}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	c.cancel = cancel
	if err := store.Subscribe(runCtx, c.update); err != nil {
		o.Log.Warn("no change notifications; polling only", "every", o.PollEvery, "err", err)
	}
	go c.loop(runCtx)
	return c, nil
}

func (o Options) withDefaults() Options {
	if o.Instance == "" {
		host, _ := os.Hostname()
		o.Instance = fmt.Sprintf("%s:%d:%d", host, os.Getpid(), time.Now().UnixNano())
	}
	if o.HeartbeatEvery <= 0 {
		o.HeartbeatEvery = 2 * time.Second
	}
	if o.TTL <= 0 {
		o.TTL = 5 * o.HeartbeatEvery
	}
	if o.PollEvery <= 0 {
		o.PollEvery = time.Second
	}
	if o.Log == nil {
		o.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return o
}

// Switches returns the switches of a move as this instance must apply them now. It costs one map
// lookup and one atomic load. It panics for a move not named in New: that is a programming error
// that must not silently read the wrong table.
func (c *Client) Switches(move string) tandem.Switches {
	e, ok := c.moves[move]
	if !ok {
		panic(fmt.Sprintf("%v: %q", ErrUnknownMove, move))
	}
	return unpack(e.switches.Load())
}

// State returns the last known state of a move.
func (c *Client) State(move string) (tandem.MoveState, error) {
	e, ok := c.moves[move]
	if !ok {
		return tandem.MoveState{}, fmt.Errorf("%w: %q", ErrUnknownMove, move)
	}
	return *e.state.Load(), nil
}

// Instance returns the id this instance reports.
func (c *Client) Instance() string { return c.opts.Instance }

// Close stops the heartbeat and the subscription. The instance drops out of the fleet when its
// last heartbeat expires.
func (c *Client) Close() error {
	if c.closed.Swap(true) {
		return nil
	}
	c.cancel()
	<-c.done
	return nil
}

// update takes a state from a notification or a poll. States only move forward, in epoch first
// and then in version, so a late notification never undoes a newer poll, and a store that lost
// its state (an empty Redis reads as epoch 0) never sends the switches back. A coordinator
// restores such a store at the epoch of the last transition it recorded, possibly at a lower
// version than this instance has seen (pauses bump the version alone): the next transition
// raises the epoch, and is taken.
func (c *Client) update(st tandem.MoveState) {
	e, ok := c.moves[st.Move]
	if !ok {
		return
	}
	if cur := e.state.Load(); cur != nil && (cur.Epoch > st.Epoch || cur.Epoch == st.Epoch && cur.Version >= st.Version) {
		return
	}
	old := e.state.Load()
	e.set(st)
	if old == nil || old.Epoch != st.Epoch {
		c.opts.Log.Info("move switches changed", "move", st.Move, "phase", st.Phase, "switches", st.Switches, "epoch", st.Epoch)
		select {
		case c.beat <- struct{}{}: // acknowledge the new epoch now, not at the next tick
		default:
		}
	}
}

func (e *entry) set(st tandem.MoveState) {
	e.state.Store(&st)
	e.switches.Store(pack(st.Switches))
}

// loop heartbeats and polls until Close.
func (c *Client) loop(ctx context.Context) {
	defer close(c.done)
	beat := time.NewTicker(c.opts.HeartbeatEvery)
	poll := time.NewTicker(c.opts.PollEvery)
	defer beat.Stop()
	defer poll.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-poll.C:
			c.poll(ctx)
		case <-beat.C:
			c.report(ctx)
		case <-c.beat:
			c.report(ctx)
		}
	}
}

func (c *Client) poll(ctx context.Context) {
	for m := range c.moves {
		st, err := c.store.State(ctx, m)
		if err != nil {
			if ctx.Err() == nil {
				c.opts.Log.Warn("switch store unreachable; keeping the last known switches", "move", m, "err", err)
			}
			continue
		}
		c.update(st)
	}
}

func (c *Client) report(ctx context.Context) {
	if err := c.store.Heartbeat(ctx, c.heartbeat(), c.opts.TTL); err != nil && ctx.Err() == nil {
		c.opts.Log.Warn("heartbeat failed", "err", err)
	}
}

// heartbeat describes this instance: the epoch it runs every move with.
func (c *Client) heartbeat() tandem.Heartbeat {
	epochs := make(map[string]int64, len(c.moves))
	for m, e := range c.moves {
		if st := e.state.Load(); st != nil {
			epochs[m] = st.Epoch
		}
	}
	return tandem.Heartbeat{Instance: c.opts.Instance, CodeVersion: c.opts.CodeVersion, Epochs: maps.Clone(epochs), At: time.Now()}
}

func pack(s tandem.Switches) uint32 {
	var b uint32
	for i, on := range []bool{s.ReadA, s.WriteA, s.ReadB, s.WriteB} {
		if on {
			b |= 1 << i
		}
	}
	return b
}

func unpack(b uint32) tandem.Switches {
	return tandem.Switches{ReadA: b&1 != 0, WriteA: b&2 != 0, ReadB: b&4 != 0, WriteB: b&8 != 0}
}
