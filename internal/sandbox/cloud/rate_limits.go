package cloud

import (
	"fmt"
	"maps"
	"net/http"
	"strings"
	"sync"
	"time"
)

// EC2 throttles each account and region with token buckets (EC2 Developer
// Guide, "Request throttling for the Amazon EC2 API"): every API has a
// request bucket, of which each call takes one token, and some APIs also
// have a resource bucket drained by the number of resources a call affects
// — RunInstances' holds 1,000 instances and refills at 2 per second, so
// 1,000 instances launch at once in any number of calls, and afterwards
// two per second. A call the bucket cannot pay for fails with
// RequestLimitExceeded, even when the request bucket has tokens left.

// Bucket is one token bucket: at most Capacity tokens, Refill added per second.
type Bucket struct {
	Capacity float64 `json:"capacity"`
	Refill   float64 `json:"refill_per_second"`
}

// RateLimits configures the buckets. Requests are keyed by action name or
// by the categories "non-mutating" (Describe*, Get*) and "mutating" (every
// other action), which apply to each action separately; Resources are
// keyed by action (RunInstances, StartInstances, StopInstances,
// TerminateInstances) and count instances.
type RateLimits struct {
	Requests  map[string]Bucket `json:"requests,omitempty"`
	Resources map[string]Bucket `json:"resources,omitempty"`
}

// Request bucket categories.
const (
	NonMutating = "non-mutating"
	Mutating    = "mutating"
)

// DocumentedRateLimits are the account defaults of the EC2 throttling page:
// request buckets of 100 tokens refilled at 20 per second for non-mutating
// and 200 refilled at 5 per second for mutating actions; resource buckets
// of 1,000 instances refilled at 2 per second for RunInstances and
// StartInstances and at 20 per second for StopInstances and
// TerminateInstances.
func DocumentedRateLimits() RateLimits {
	return RateLimits{
		Requests: map[string]Bucket{NonMutating: {100, 20}, Mutating: {200, 5}},
		Resources: map[string]Bucket{
			"RunInstances": {1000, 2}, "StartInstances": {1000, 2},
			"StopInstances": {1000, 20}, "TerminateInstances": {1000, 20},
		},
	}
}

func (r *RateLimits) clone() *RateLimits {
	if r == nil {
		return nil
	}
	return &RateLimits{Requests: maps.Clone(r.Requests), Resources: maps.Clone(r.Resources)}
}

func validateRateLimits(r *RateLimits) error {
	if r == nil {
		return nil
	}
	for kind, m := range map[string]map[string]Bucket{"requests": r.Requests, "resources": r.Resources} {
		for k, b := range m {
			if b.Capacity <= 0 || b.Refill <= 0 {
				return fmt.Errorf("rate_limits.%s.%s: capacity and refill_per_second must be positive, got %v and %v", kind, k, b.Capacity, b.Refill)
			}
		}
	}
	return nil
}

// requestBucketKey is the request bucket an action draws from: its own,
// or its category's.
func (r *RateLimits) requestBucket(action string) (Bucket, bool) {
	if b, ok := r.Requests[action]; ok {
		return b, true
	}
	category := Mutating
	if strings.HasPrefix(action, "Describe") || strings.HasPrefix(action, "Get") {
		category = NonMutating
	}
	b, ok := r.Requests[category]
	return b, ok
}

// buckets holds the fill level of every bucket in use. Levels refill
// lazily from the world clock when a call reads them.
type buckets struct {
	mu     sync.Mutex
	levels map[string]*bucketLevel
}

type bucketLevel struct {
	tokens float64
	at     time.Time
}

// take removes n tokens from the named bucket if it holds them.
func (bs *buckets) take(name string, b Bucket, n float64, now time.Time) bool {
	bs.mu.Lock()
	defer bs.mu.Unlock()
	l := bs.refill(name, b, now)
	if l.tokens < n {
		return false
	}
	l.tokens -= n
	return true
}

// level is how many tokens the named bucket holds at now.
func (bs *buckets) level(name string, b Bucket, now time.Time) float64 {
	bs.mu.Lock()
	defer bs.mu.Unlock()
	return bs.refill(name, b, now).tokens
}

// refill brings the named bucket up to now; an unused bucket is full.
func (bs *buckets) refill(name string, b Bucket, now time.Time) *bucketLevel {
	if bs.levels == nil {
		bs.levels = map[string]*bucketLevel{}
	}
	l, ok := bs.levels[name]
	if !ok {
		l = &bucketLevel{tokens: b.Capacity, at: now}
		bs.levels[name] = l
	}
	if now.After(l.at) {
		l.tokens = min(b.Capacity, l.tokens+now.Sub(l.at).Seconds()*b.Refill)
		l.at = now
	}
	l.tokens = min(l.tokens, b.Capacity)
	return l
}

// ResourceTokens is how many instances action's resource bucket would let
// a call affect now, and false when no resource bucket is configured for
// it: the benchmark reads it to know what the bucket imposes on a step.
func (w *World) ResourceTokens(action string) (float64, bool) {
	limits := w.cfg.Load().RateLimits
	if limits == nil {
		return 0, false
	}
	b, ok := limits.Resources[action]
	if !ok {
		return 0, false
	}
	return w.buckets.level("resource/"+action, b, w.clock.Now()), true
}

func requestLimitExceeded() *apiError {
	// The code is the one the EC2 Developer Guide ("Request throttling for
	// the Amazon EC2 API") names for both bucket kinds; the message is EC2's
	// as users report it ("RequestLimitExceeded: Request limit exceeded.").
	// AWS answers throttling with 503; the SDK retryers treat the code
	// RequestLimitExceeded as a throttle whatever the status.
	return &apiError{Status: http.StatusServiceUnavailable, Code: "RequestLimitExceeded", Message: "Request limit exceeded."}
}

// rateLimit charges an EC2 call to its request bucket and, for actions with
// a resource bucket, to that one by the instances the call names.
func (w *World) rateLimit(action string, q query) *apiError {
	limits := w.cfg.Load().RateLimits
	if limits == nil {
		return nil
	}
	now := w.clock.Now()
	if b, ok := limits.requestBucket(action); ok && !w.buckets.take("request/"+action, b, 1, now) {
		return requestLimitExceeded()
	}
	b, ok := limits.Resources[action]
	if !ok {
		return nil
	}
	n := len(q.list("InstanceId"))
	if action == "RunInstances" {
		if c, err := q.intParam("MaxCount"); err == nil && c != nil {
			n = *c
		}
	}
	if n > 0 && !w.buckets.take("resource/"+action, b, float64(n), now) {
		return requestLimitExceeded()
	}
	return nil
}
