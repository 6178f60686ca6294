package tandem

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestWithHintKeepsTheError(t *testing.T) {
	base := errors.New("the disk is full")
	h := Hint{Code: HintRunAgain, Text: "free some space, then go on"}
	err := fmt.Errorf("write the history: %w", WithHint(base, h))
	if err.Error() != "write the history: the disk is full" {
		t.Errorf("message %q: the hint must not be in it", err)
	}
	if !errors.Is(err, base) {
		t.Error("errors.Is does not see the error through the hint")
	}
	if got, ok := HintOf(err); !ok || got != h {
		t.Errorf("HintOf = %v, %v; want %v", got, ok, h)
	}
	if WithHint(nil, h) != nil {
		t.Error("WithHint(nil) is not nil")
	}
	if _, ok := HintOf(base); ok {
		t.Error("HintOf found a hint in an error without one")
	}
}

// several carries one hint per part, as deploy.ProblemsError does.
type several []Hint

func (s several) Error() string { return "several" }
func (s several) Hints() []Hint { return s }

func TestHintsThroughJoinAndLists(t *testing.T) {
	lock := &LockError{Key: "k", Holder: "pid 1", Waited: "1s"}
	rerun := Hint{Code: HintRunAgain, Text: "again"}
	err := errors.Join(
		fmt.Errorf("deploy: %w", lock),
		WithHint(errors.New("b"), rerun),
		several{{Code: HintRebaseline, Text: "accept"}, {Code: HintRunAgain, Text: "again, said twice"}},
		&LockError{Key: "other"},
	)
	var codes []string
	for _, h := range Hints(err) {
		codes = append(codes, string(h.Code))
	}
	if got, want := strings.Join(codes, " "), "lock-wait run-again rebaseline"; got != want {
		t.Errorf("codes %q, want %q (in order, each once)", got, want)
	}
}

func TestLockErrorNamesNoFlag(t *testing.T) {
	e := &LockError{Key: "tandem_deploy", Holder: "pid 4242", Waited: "1m0s"}
	if got, want := e.Error(), `another deploy holds the lock "tandem_deploy" (pid 4242); waited 1m0s`; got != want {
		t.Errorf("message %q, want %q", got, want)
	}
	if h := e.Hint(); h.Code != HintLockWait || strings.Contains(h.Text, "--") {
		t.Errorf("hint %+v: want code %s and neutral text", h, HintLockWait)
	}
}
