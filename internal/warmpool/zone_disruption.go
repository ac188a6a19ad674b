package warmpool

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
)

// While an Availability Zone is disrupted, DescribeInstances fails when it
// names no instance ids or an id in that zone, and works when it names
// only ids in healthy zones (EC2 API reference, DescribeInstances). A
// pool's filtered describe then fails exactly when warm capacity in the
// other zones is needed most, so the engine falls back to describing the
// instances it knows by id, zone by zone: healthy zones are described
// fresh, and instances in a zone that still fails keep what was last known
// of them (they are neither dropped from state nor relaunched as missing).

// zoneMemory is every pool instance the engine has seen or was told of.
type zoneMemory struct {
	mu   sync.Mutex
	seen map[string]Instance
	// disrupted are the zones the last fallback found disrupted.
	disrupted []string
	// filteredFailing: the pool's filtered describe failed for a
	// disruption the last time it was made.
	filteredFailing bool
}

// Once a call has failed for a disruption, the SDK has already retried it
// on its full schedule (5xx errors are transient to its retryers: 11
// attempts, backing off up to 20 s each, in the provider). Repeating that
// schedule on every poll of an apply would make each poll take minutes, so
// calls known to fail for the disruption are made with the SDK retrying
// everything but the disruption (throttling still is): one attempt a poll,
// which still notices when the zone recovers.
type disruptionNotRetried struct{ aws.RetryerV2 }

func (r disruptionNotRetried) IsErrorRetryable(err error) bool {
	return !isZoneDisruption(err) && r.RetryerV2.IsErrorRetryable(err)
}

func withoutDisruptionRetries(o *ec2.Options) {
	if r, ok := o.Retryer.(aws.RetryerV2); ok {
		o.Retryer = disruptionNotRetried{r}
	}
}

// filteredCallOptions are the options of the pool's next filtered describe.
func (z *zoneMemory) filteredCallOptions() []func(*ec2.Options) {
	z.mu.Lock()
	defer z.mu.Unlock()
	if z.filteredFailing {
		return []func(*ec2.Options){withoutDisruptionRetries}
	}
	return nil
}

// filteredCallFailed records whether the filtered describe failed for a
// disruption; when it works, no zone is disrupted any more.
func (z *zoneMemory) filteredCallFailed(disrupted bool) {
	z.mu.Lock()
	defer z.mu.Unlock()
	z.filteredFailing = disrupted
	if !disrupted {
		z.disrupted = nil
	}
}

func (z *zoneMemory) remember(list []Instance) {
	z.mu.Lock()
	defer z.mu.Unlock()
	if z.seen == nil {
		z.seen = map[string]Instance{}
	}
	for _, i := range list {
		z.seen[i.ID] = i
	}
}

// DisruptedZones are the Availability Zones the engine last found
// disrupted (their instances described as last known), sorted.
func (e *Engine) DisruptedZones() []string {
	e.zones.mu.Lock()
	defer e.zones.mu.Unlock()
	return slices.Clone(e.zones.disrupted)
}

// describeKnown describes the known instances of a pool by id, grouped by
// their last known zone; a zone whose describe still fails is disrupted.
func (e *Engine) describeKnown(ctx context.Context, poolID string, includeTerminated bool, cause error) ([]Instance, error) {
	e.zones.remember(e.Known)
	e.zones.mu.Lock()
	byZone := map[string][]Instance{}
	for _, i := range e.zones.seen {
		if i.Gone() && !includeTerminated {
			continue
		}
		byZone[i.AvailabilityZone] = append(byZone[i.AvailabilityZone], i)
	}
	e.zones.mu.Unlock()
	if len(byZone) == 0 {
		return nil, fmt.Errorf("no instance of pool %s known to describe by id: %w", poolID, cause)
	}
	var out []Instance
	var disrupted []string
	known := e.DisruptedZones()
	for zone, list := range byZone {
		var opts []func(*ec2.Options)
		if slices.Contains(known, zone) {
			opts = append(opts, withoutDisruptionRetries)
		}
		fresh, err := e.describeIDs(ctx, instanceIDs(list), opts...)
		switch {
		case isZoneDisruption(err):
			disrupted = append(disrupted, zone)
			for _, i := range list {
				i.ZoneDisrupted = true
				out = append(out, i)
			}
		case err != nil:
			return nil, err
		default:
			e.zones.remember(fresh)
			for _, i := range fresh {
				if includeTerminated || !i.Gone() {
					out = append(out, i)
				}
			}
		}
	}
	sort.Strings(disrupted)
	e.zones.mu.Lock()
	e.zones.disrupted = disrupted
	e.zones.mu.Unlock()
	if len(disrupted) == len(byZone) {
		return nil, fmt.Errorf("describe instances of pool %s: every zone they run in fails (%s): %w", poolID, strings.Join(disrupted, ", "), cause)
	}
	if len(disrupted) > 0 {
		e.logf("pool %s: Availability Zone %s disrupted (DescribeInstances fails there); its %d instances are taken as last known, the other zones described by id",
			poolID, strings.Join(disrupted, ", "), countInZones(out, disrupted))
	}
	return out, nil
}

// describeIDs describes instances by id (at most IDsPerCall per call; EC2
// does not take MaxResults with ids). Ids EC2 no longer knows are left out.
func (e *Engine) describeIDs(ctx context.Context, ids []string, opts ...func(*ec2.Options)) ([]Instance, error) {
	var out []Instance
	for _, batch := range chunks(ids, e.Options.withDefaults().IDsPerCall) {
		for len(batch) > 0 {
			found, err := e.describe(ctx, &ec2.DescribeInstancesInput{InstanceIds: batch}, opts...)
			if apiErr, ok := instanceNotFound(err); ok {
				named := unknownIDs(apiErr.ErrorMessage(), batch)
				if len(named) == 0 {
					return nil, err
				}
				batch = without(batch, named)
				continue
			}
			if err != nil {
				return nil, err
			}
			out = append(out, found...)
			break
		}
	}
	return out, nil
}

func countInZones(list []Instance, zones []string) int {
	n := 0
	for _, i := range list {
		if slices.Contains(zones, i.AvailabilityZone) {
			n++
		}
	}
	return n
}
