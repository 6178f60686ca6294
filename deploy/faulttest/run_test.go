package faulttest

import (
	"bytes"
	"context"
	"errors"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// outcome is how one tandem process ended.
type outcome struct {
	killed bool
	code   int // exit code when not killed
	output string
	took   time.Duration
}

// runLimit bounds a tandem process that is not killed on purpose, so a hung deploy fails the
// test instead of hanging it.
const runLimit = 5 * time.Minute

// tandem starts the tandem binary with args on d's project and database.
func (d *database) tandem(ctx context.Context, args ...string) *exec.Cmd {
	all := append(args, "--project", d.dir, "--env", "test", "--url", d.url, "--lock-wait", "5m")
	return exec.CommandContext(ctx, tandemBin, all...)
}

// run runs "tandem <args>" and kills it with SIGKILL after killAfter (never when negative).
func (d *database) run(ctx context.Context, killAfter time.Duration, args ...string) (outcome, error) {
	ctx, cancel := context.WithTimeout(ctx, runLimit)
	defer cancel()
	cmd := d.tandem(ctx, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return outcome{}, err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var kill <-chan time.Time
	if killAfter >= 0 {
		t := time.NewTimer(killAfter)
		defer t.Stop()
		kill = t.C
	}
	var err error
	select {
	case err = <-done:
	case <-kill:
		_ = cmd.Process.Signal(syscall.SIGKILL) // it may have ended meanwhile: Wait tells
		err = <-done
	}
	o := outcome{output: out.String(), took: time.Since(start)}
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		if ws.Signal() == syscall.SIGKILL && killAfter >= 0 && ctx.Err() == nil {
			o.killed = true
			return o, nil
		}
	}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee) && ee.Exited():
		o.code = ee.ExitCode()
	default:
		return o, err
	}
	return o, nil
}

// deploy runs one deploy to its end.
func (d *database) deploy(ctx context.Context) (outcome, error) { return d.run(ctx, -1, "deploy") }

// firstLine returns the first line of s, for messages.
func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " ..."
	}
	return s
}

// errorLine picks the line of a tandem process's output that says what went wrong.
func errorLine(output string) string {
	for _, l := range strings.Split(output, "\n") {
		if strings.HasPrefix(l, "tandem ") {
			return strings.TrimSpace(l)
		}
	}
	return firstLine(output)
}
