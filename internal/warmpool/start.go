package warmpool

import (
	"context"
	"fmt"
	"sort"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
)

// startStandby starts n of the candidates, in their order, with as few
// StartInstances calls as possible. EC2 fails a whole call when one zone or
// instance type lacks capacity, so a failed call is retried zone by zone
// and instance type by type; the groups without capacity are recorded in
// noStart, and candidates elsewhere take their place. Starts are paced to
// StartInstances' resource bucket (see pace), so raising running past what
// the bucket holds waits for its refill instead of failing.
func (e *Engine) startStandby(ctx context.Context, pool Pool, candidates []Instance, n int, noStart map[string]bool) ([]Instance, error) {
	var started []Instance
	exhausted := map[string]bool{}
	queue := candidates
	for len(started) < n {
		var batch []Instance
		var rest []Instance
		for _, i := range queue {
			switch {
			case noStart[i.ID] || exhausted[zoneType(i)]:
			case len(batch) < n-len(started):
				batch = append(batch, i)
			default:
				rest = append(rest, i)
			}
		}
		if len(batch) == 0 {
			break
		}
		queue = rest
		done, err := e.startInstances(ctx, pool.Name, instanceIDs(batch))
		started = append(started, batch[:done]...)
		if err == nil {
			continue
		}
		if !isCapacityError(err) {
			return started, err
		}
		// Find the groups without capacity; the others start now.
		for _, group := range groupByZoneType(batch[done:]) {
			done, err := e.startInstances(ctx, pool.Name, instanceIDs(group))
			started = append(started, group[:done]...)
			switch {
			case err == nil:
			case isCapacityError(err):
				key := zoneType(group[0])
				exhausted[key] = true
				for _, i := range group[done:] {
					noStart[i.ID] = true
				}
				e.logf("pool %s: no capacity to start %d standby instances of %s; trying other zones", pool.Name, len(group)-done, key)
			default:
				return started, err
			}
		}
	}
	if len(started) < n {
		var tried []string
		for k := range exhausted {
			tried = append(tried, k)
		}
		sort.Strings(tried)
		e.logf("pool %s: started %d of %d standby instances (no capacity in %v)", pool.Name, len(started), n, tried)
	}
	return started, nil
}

// startInstances starts ids in their order, at most IDsPerCall per call and
// paced to StartInstances' resource bucket (see pace), and returns how many
// of the first ids it started, also when it fails.
func (e *Engine) startInstances(ctx context.Context, pool string, ids []string) (int, error) {
	return e.pace(ctx, pool, "StartInstances", len(ids), e.Options.withDefaults().IDsPerCall, func(ctx context.Context, from, n int) (int, error) {
		batch := ids[from : from+n]
		if _, err := e.EC2.StartInstances(ctx, &ec2.StartInstancesInput{InstanceIds: batch}, capacityFailsFast); err != nil {
			return 0, fmt.Errorf("start %d instances: %w", len(batch), err)
		}
		return n, nil
	})
}

func zoneType(i Instance) string { return i.AvailabilityZone + "/" + i.InstanceType }

// groupByZoneType splits instances by availability zone and instance type,
// the unit EC2 has or lacks capacity for, keeping their order.
func groupByZoneType(list []Instance) [][]Instance {
	index := map[string]int{}
	var out [][]Instance
	for _, i := range list {
		k := zoneType(i)
		n, ok := index[k]
		if !ok {
			n = len(out)
			index[k] = n
			out = append(out, nil)
		}
		out[n] = append(out[n], i)
	}
	return out
}
