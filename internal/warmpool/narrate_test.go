package warmpool

import (
	"strings"
	"testing"
)

func TestNarrate(t *testing.T) {
	tests := []struct {
		name      string
		size      int
		instances []Instance
		want      []string
	}{
		{name: "nothing to do", size: 2, instances: []Instance{standby("a", 1), standby("b", 2)}},
		{name: "size up", size: 15, instances: []Instance{standby("a", 1)},
			want: []string{"size 1 → 15: 14 instances will be launched"}},
		{name: "size down", size: 1, instances: []Instance{standby("a", 1), standby("b", 2), standby("c", 3)},
			want: []string{"size 3 → 1: 2 standby instances will be terminated (oldest first)"}},
		{name: "outdated", size: 3, instances: []Instance{outdated("a", 1), outdated("b", 2), outdated("c", 3)},
			want: []string{"3 standby instances run node class version 4 (now 5) and will be replaced, 1 at a time"}},
		{name: "one outdated", size: 1, instances: []Instance{outdated("a", 1)},
			want: []string{"1 standby instance runs node class version 4 (now 5) and will be replaced, 1 at a time"}},
		{name: "labels changed", size: 1, instances: []Instance{inst("a", "stopped", StateStandby, "other", 1)},
			want: []string{"1 standby instance was built with other pool labels or taints and will be replaced, 1 at a time"}},
		{name: "failed and running", size: 1, instances: []Instance{standby("a", 1), inst("f", "stopped", StateFailed, currentHash, 2), inst("r", "running", StateStandby, currentHash, 3)},
			want: []string{
				"1 instance whose warmup failed will be terminated: f",
				"1 instance started outside Terraform is left alone and not counted in size: r",
			}},
		{name: "adopted warmups", size: 2, instances: []Instance{inst("w", "running", StateWarmup, currentHash, 1)},
			want: []string{"size 1 → 2: 1 instance will be launched", "1 instance launched by an interrupted apply will be adopted and verified"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Narrate(testPool(tc.size), tc.instances)
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

func TestNarrateDestroy(t *testing.T) {
	got := NarrateDestroy([]Instance{standby("a", 1), standby("b", 2), inst("r", "running", StateStandby, currentHash, 3), inst("x", "terminated", StateStandby, currentHash, 3)})
	want := "destroy terminates 2 standby instances and 1 running node and deletes their nodes"
	if len(got) != 1 || got[0] != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	if got := NarrateDestroy(nil); got != nil {
		t.Fatalf("empty pool: got %q", got)
	}
}

func TestNarrateDrift(t *testing.T) {
	before := []Instance{standby("a", 1), standby("b", 2), standby("c", 3)}
	now := []Instance{standby("a", 1), inst("b", "running", StateStandby, currentHash, 2)}
	for _, tc := range []struct {
		name           string
		runningManaged bool
		want           []string
	}{
		{name: "running unset", want: []string{
			"1 standby instance was terminated outside Terraform and will be replaced: c",
			"1 standby instance was started outside Terraform; it is left alone, not counted in size, and replaced in standby: b",
		}},
		{name: "running managed", runningManaged: true, want: []string{
			"1 standby instance was terminated outside Terraform and will be replaced: c",
			"1 standby instance was started outside Terraform and now counts in running, not in size; the next apply brings running back to its configured value and refills standby: b",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := NarrateDrift(before, now, tc.runningManaged)
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
	if got := NarrateDrift(before, before, true); got != nil {
		t.Errorf("no drift: got %q", got)
	}
}
