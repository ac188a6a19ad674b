package poll_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stratos-sh/terraform-provider-stratos/internal/poll"
)

// instantClock advances by whatever a wait sleeps, at once, and records
// the sleeps.
type instantClock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

func (c *instantClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *instantClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	c.sleeps = append(c.sleeps, d)
	ch := make(chan time.Time, 1)
	ch <- c.now
	return ch
}

func TestScheduleSteadyThenBackOff(t *testing.T) {
	clock := &instantClock{}
	sched := poll.Schedule{Interval: time.Second, Steady: 3 * time.Second, Max: 2 * time.Second}
	err := poll.Until(context.Background(), poll.Options{Schedule: sched, Clock: clock}, func(ctx context.Context, r *poll.Round) (bool, error) {
		return r.N == 7, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []time.Duration{time.Second, time.Second, time.Second, 1500 * time.Millisecond, 2 * time.Second, 2 * time.Second}
	if fmt.Sprint(clock.sleeps) != fmt.Sprint(want) {
		t.Fatalf("sleeps %v, want %v", clock.sleeps, want)
	}
}

// A check's own time counts toward the interval.
func TestScheduleCountsCheckTime(t *testing.T) {
	clock := &instantClock{}
	err := poll.Until(context.Background(), poll.Options{Schedule: poll.Schedule{Interval: time.Second, Steady: time.Minute}, Clock: clock}, func(ctx context.Context, r *poll.Round) (bool, error) {
		clock.mu.Lock()
		clock.now = clock.now.Add(300 * time.Millisecond)
		clock.mu.Unlock()
		return r.N == 2, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(clock.sleeps) != 1 || clock.sleeps[0] != 700*time.Millisecond {
		t.Fatalf("sleeps %v, want [700ms]", clock.sleeps)
	}
}

func TestNotFoundChecksBound(t *testing.T) {
	for _, tc := range []struct {
		name      string
		checks    int
		foundAt   int
		wantErr   bool
		wantCalls int
	}{
		{"found within the bound", 3, 4, false, 4},
		{"never found", 3, 100, true, 4},
		{"not found ends at once without checks", 0, 2, true, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			calls := 0
			err := poll.Until(context.Background(), poll.Options{Clock: &instantClock{}, NotFoundChecks: tc.checks}, func(ctx context.Context, r *poll.Round) (bool, error) {
				calls++
				if r.N < tc.foundAt {
					return false, fmt.Errorf("version 3: %w", poll.ErrNotFound)
				}
				return true, nil
			})
			if (err != nil) != tc.wantErr || calls != tc.wantCalls {
				t.Fatalf("err %v after %d calls; want error %v after %d", err, calls, tc.wantErr, tc.wantCalls)
			}
			if err != nil && !errors.Is(err, poll.ErrNotFound) {
				t.Fatalf("error %v does not wrap ErrNotFound", err)
			}
		})
	}
}

func TestOtherErrorsEndTheWait(t *testing.T) {
	boom := errors.New("access denied")
	calls := 0
	err := poll.Until(context.Background(), poll.Options{Clock: &instantClock{}, NotFoundChecks: 10}, func(ctx context.Context, r *poll.Round) (bool, error) {
		calls++
		return false, boom
	})
	if !errors.Is(err, boom) || calls != 1 {
		t.Fatalf("err %v after %d calls", err, calls)
	}
}

func TestPerKeyMisses(t *testing.T) {
	clock := &instantClock{}
	gone := map[string]int{}
	err := poll.Until(context.Background(), poll.Options{Clock: clock, NotFoundChecks: 2}, func(ctx context.Context, r *poll.Round) (bool, error) {
		// "a" shows up on the second round; "b" never does.
		if r.N >= 2 {
			r.Seen("a")
		} else if r.Missing("a") {
			gone["a"] = r.N
		}
		if r.Missing("b") {
			gone["b"] = r.N
			return true, nil
		}
		return false, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := gone["a"]; ok || gone["b"] != 3 {
		t.Fatalf("gone %v; want b after 3 rounds and never a", gone)
	}
}

func TestTimeoutWrapsLastError(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	err := poll.Until(ctx, poll.Options{Clock: &instantClock{}, NotFoundChecks: 100}, func(ctx context.Context, r *poll.Round) (bool, error) {
		if r.N == 3 {
			cancel()
		}
		return false, fmt.Errorf("template lt-1: %w", poll.ErrNotFound)
	})
	if !errors.Is(err, poll.ErrNotFound) || !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v; want the last not-found and the cancellation", err)
	}
}
