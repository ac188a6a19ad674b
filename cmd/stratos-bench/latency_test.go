package main

import (
	"testing"
	"time"

	"github.com/stratos-sh/terraform-provider-stratos/internal/sandbox/cloud"
)

func TestCriticalPathUnderRunInstancesBucket(t *testing.T) {
	unlimited := benchConfig()
	documented := limitedConfig(benchConfig(), 1000, 1)
	for _, tc := range []struct {
		name       string
		cfg        cloud.Config
		op         string
		n          int
		tokens     float64
		path, wait time.Duration
	}{
		{"create without limits", unlimited, opCreate, 1000, 0, 12 * time.Second, 0},
		{"create of a full bucket", documented, opCreate, 1000, 1000, 12 * time.Second, 0},
		// 200 instances beyond the bucket at 2 per second.
		{"create beyond the bucket", documented, opCreate, 1200, 1000, 112 * time.Second, 100 * time.Second},
		{"replacement from a full bucket", documented, opReplace, 1000, 1000, 48 * time.Second, 0},
		// Four waves of 250: the first waits (250-100)/2 s; each later one
		// finds the 24 tokens of the previous wave's 12 s and waits (250-24)/2 s.
		{"replacement after a create", documented, opReplace, 1000, 100, 462 * time.Second, 414 * time.Second},
		{"replacement without limits", unlimited, opReplace, 1000, 0, 48 * time.Second, 0},
		{"start refills a tenth", documented, opStart, 1000, 0, 64 * time.Second, 50 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path, wait := criticalPath(tc.cfg, tc.op, tc.n, tc.tokens)
			if path != tc.path || wait != tc.wait {
				t.Errorf("criticalPath = %s (wait %s), want %s (wait %s)", path, wait, tc.path, tc.wait)
			}
		})
	}
}

func TestLimitedConfigScalesRefillAndPool(t *testing.T) {
	for _, tc := range []struct {
		size           int
		timeScale      float64
		run, describes cloud.Bucket
	}{
		{1000, 1, cloud.Bucket{Capacity: 1000, Refill: 2}, cloud.Bucket{Capacity: 100, Refill: 20}},
		{1000, 2, cloud.Bucket{Capacity: 1000, Refill: 4}, cloud.Bucket{Capacity: 100, Refill: 40}},
		{100, 1, cloud.Bucket{Capacity: 100, Refill: 0.2}, cloud.Bucket{Capacity: 100, Refill: 20}},
	} {
		l := limitedConfig(benchConfig(), tc.size, tc.timeScale).RateLimits
		if got := l.Resources["RunInstances"]; got != tc.run {
			t.Errorf("size %d ×%g: RunInstances resource bucket %+v, want %+v", tc.size, tc.timeScale, got, tc.run)
		}
		if got := l.Requests[cloud.NonMutating]; got != tc.describes {
			t.Errorf("size %d ×%g: non-mutating request bucket %+v, want %+v", tc.size, tc.timeScale, got, tc.describes)
		}
	}
}
