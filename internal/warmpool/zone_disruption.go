package warmpool

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

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
	for zone, list := range byZone {
		fresh, err := e.describeIDs(ctx, instanceIDs(list))
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
func (e *Engine) describeIDs(ctx context.Context, ids []string) ([]Instance, error) {
	var out []Instance
	for _, batch := range chunks(ids, e.Options.withDefaults().IDsPerCall) {
		for len(batch) > 0 {
			found, err := e.describe(ctx, &ec2.DescribeInstancesInput{InstanceIds: batch})
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
