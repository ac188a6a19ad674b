package warmpool

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/stratos-sh/terraform-provider-stratos/internal/keys"
	"github.com/stratos-sh/terraform-provider-stratos/internal/nodeclass"
)

// launchSlot is one RunInstances call: a subnet, an instance type and a count.
type launchSlot struct {
	subnet       nodeclass.Subnet
	instanceType string
	count        int
}

// launch starts n instances in as few RunInstances calls as the subnets
// allow, spreading them across availability zones. When a zone has no
// capacity for a type, its share moves to the other zones, and only when no
// zone has room does the next instance type take over. Each call's
// ClientToken derives from the pool, the launch round and the call, so a
// retried or repeated apply replays the same launch instead of duplicating it.
func (e *Engine) launch(ctx context.Context, pool Pool, n, round int, known map[string]bool) ([]Instance, error) {
	var launched []Instance
	exhausted := map[string]bool{} // availability zone + "/" + type
	var tried []PlacementAttempt
	remaining := n
	seq := 0
	for _, itype := range pool.Launch.InstanceTypes {
		for remaining > 0 {
			open := openSubnets(pool.Launch.Subnets, itype, exhausted)
			if len(open) == 0 {
				break
			}
			for _, slot := range spread(remaining, open, itype) {
				got, err := e.runPaced(ctx, pool, slot, round, &seq)
				if apiErr, ok := capacityError(err); ok {
					attempt := PlacementAttempt{Zone: slot.subnet.AvailabilityZone, InstanceType: itype, Code: apiErr.ErrorCode()}
					e.logf("pool %s: %s: %s; trying elsewhere", pool.Name, attempt, apiErr.ErrorMessage())
					exhausted[slot.subnet.AvailabilityZone+"/"+itype] = true
					tried = append(tried, attempt)
					continue
				}
				if err != nil {
					return launched, err
				}
				if replayOfOld(got, known) {
					return launched, errReplayedToken
				}
				e.zones.remember(got)
				launched = append(launched, got...)
				remaining -= len(got)
				if len(got) < slot.count {
					exhausted[slot.subnet.AvailabilityZone+"/"+itype] = true
					tried = append(tried, PlacementAttempt{Zone: slot.subnet.AvailabilityZone, InstanceType: itype, Partial: len(got)})
				}
			}
		}
		if remaining == 0 {
			break
		}
	}
	if remaining > 0 {
		return launched, &PlacementError{Wanted: n, Launched: n - remaining, Tried: tried}
	}
	return launched, nil
}

// errReplayedToken: a ClientToken answered with instances from an earlier
// launch that no longer count; the caller moves to a fresh round.
var errReplayedToken = errors.New("client token replayed an earlier launch")

// maxRoundSkips bounds how many launch rounds one launch may skip because
// their tokens were used before; each skip is a fresh round, so more than a
// couple means something else reuses the pool's tokens.
const maxRoundSkips = 8

// launchFresh launches n instances in the round after every round all
// shows. When a token turns out to be used already — it replays a launch
// that no longer counts, or EC2 remembers it with other parameters
// (IdempotentParameterMismatch) — the rest launch in the next round, so a
// remembered token never leaves the pool stuck.
func (e *Engine) launchFresh(ctx context.Context, pool Pool, n int, all []Instance) ([]Instance, error) {
	known := map[string]bool{}
	round := 0
	for _, i := range all {
		known[i.ID] = true
		round = max(round, i.LaunchRound)
	}
	var launched []Instance
	for skip := 0; ; skip++ {
		got, err := e.launch(ctx, pool, n-len(launched), round+1+skip, known)
		launched = append(launched, got...)
		if !errors.Is(err, errReplayedToken) && !isIdempotencyMismatch(err) {
			return launched, err
		}
		if skip == maxRoundSkips {
			return launched, fmt.Errorf("pool %s: %d launch rounds in a row had client tokens EC2 already knew: %w", pool.Name, maxRoundSkips+1, err)
		}
		e.logf("pool %s: launch round %d: %v; launching in round %d", pool.Name, round+1+skip, err, round+2+skip)
	}
}

func replayOfOld(got []Instance, known map[string]bool) bool {
	for _, i := range got {
		if known[i.ID] || i.Gone() {
			return true
		}
	}
	return false
}

func openSubnets(subnets []nodeclass.Subnet, itype string, exhausted map[string]bool) []nodeclass.Subnet {
	var out []nodeclass.Subnet
	for _, s := range subnets {
		if !exhausted[s.AvailabilityZone+"/"+itype] {
			out = append(out, s)
		}
	}
	return out
}

// spread divides n as evenly as possible across subnets, earlier subnets
// taking the remainder.
func spread(n int, subnets []nodeclass.Subnet, itype string) []launchSlot {
	var out []launchSlot
	for i, s := range subnets {
		count := n / len(subnets)
		if i < n%len(subnets) {
			count++
		}
		if count > 0 {
			out = append(out, launchSlot{subnet: s, instanceType: itype, count: count})
		}
	}
	return out
}

func (e *Engine) runInstances(ctx context.Context, pool Pool, slot launchSlot, round, seq int) ([]Instance, error) {
	in := e.runInstancesInput(pool, slot, round, seq)
	out, err := e.runInstancesAwaitingProfile(ctx, in)
	if err != nil {
		return nil, fmt.Errorf("run %d instances of %s in %s: %w", slot.count, slot.instanceType, slot.subnet.AvailabilityZone, err)
	}
	got := make([]Instance, 0, len(out.Instances))
	for _, i := range out.Instances {
		inst := instanceFromEC2(i)
		if inst.ConfigHash == "" {
			// The response may omit tags; they were applied atomically at launch.
			inst.State, inst.ConfigHash, inst.ClassVersion, inst.LaunchRound = StateWarmup, pool.Launch.ConfigHash, pool.Launch.Version, round
		}
		got = append(got, inst)
	}
	e.logf("pool %s: launched %d %s in %s", pool.Name, len(got), slot.instanceType, slot.subnet.AvailabilityZone)
	return got, nil
}

// runInstancesInput is the RunInstances request of one call of a launch round.
func (e *Engine) runInstancesInput(pool Pool, slot launchSlot, round, seq int) *ec2.RunInstancesInput {
	tags := pool.instanceTags(round)
	in := &ec2.RunInstancesInput{
		LaunchTemplate: &ec2types.LaunchTemplateSpecification{
			LaunchTemplateId: aws.String(pool.Launch.LaunchTemplateID),
			Version:          aws.String(strconv.FormatInt(pool.Launch.Version, 10)),
		},
		InstanceType: ec2types.InstanceType(slot.instanceType),
		SubnetId:     aws.String(slot.subnet.ID),
		MinCount:     aws.Int32(1),
		MaxCount:     aws.Int32(int32(slot.count)),
		TagSpecifications: []ec2types.TagSpecification{
			{ResourceType: ec2types.ResourceTypeInstance, Tags: tags},
			{ResourceType: ec2types.ResourceTypeVolume, Tags: tags},
		},
	}
	if pool.Launch.UserData != "" {
		in.UserData = aws.String(pool.Launch.UserData)
	}
	in.ClientToken = aws.String(clientToken(pool.ID(), round, seq, in))
	return in
}

// clientToken names one launch request. EC2 remembers a token for at
// least 24 hours after its instances terminate, and answers the same token
// with other parameters IdempotentParameterMismatch (EC2 API reference,
// "Ensuring idempotency in Amazon EC2 API requests"), while the launch
// rounds tokens are counted in come from instances DescribeInstances shows
// for only about an hour. So the token hashes the whole request: a request
// that differs in anything (tags after a tags-only node class change, the
// launch template of a node class destroyed and recreated under the same
// name) never reuses a token, and a retry of the same request — the same
// round and call after a crash, before its instances are visible — always
// does, so EC2 returns the instances it launched instead of new ones. It is
// at most 64 ASCII characters, as EC2 requires.
func clientToken(poolID string, round, seq int, in *ec2.RunInstancesInput) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s|%d|%d|%s|%s|%s|%s|%d|%d|%s\n", poolID, round, seq,
		aws.ToString(in.LaunchTemplate.LaunchTemplateId), aws.ToString(in.LaunchTemplate.Version),
		in.InstanceType, aws.ToString(in.SubnetId), aws.ToInt32(in.MinCount), aws.ToInt32(in.MaxCount),
		aws.ToString(in.UserData))
	for _, spec := range in.TagSpecifications {
		for _, t := range spec.Tags {
			fmt.Fprintf(h, "%s|%s=%s\n", spec.ResourceType, aws.ToString(t.Key), aws.ToString(t.Value))
		}
	}
	return poolID + "-" + hex.EncodeToString(h.Sum(nil))[:32]
}

func (p Pool) instanceTags(round int) []ec2types.Tag {
	all := map[string]string{}
	for k, v := range p.Tags {
		all[k] = v
	}
	for k, v := range map[string]string{
		"Name":                "stratos-" + p.Name,
		keys.PoolID:           p.ID(),
		keys.Pool:             p.Name,
		keys.Cluster:          p.Cluster,
		keys.ManagedBy:        keys.ManagedByValue,
		keys.State:            string(StateWarmup),
		keys.ConfigHash:       p.Launch.ConfigHash,
		keys.NodeClassVersion: strconv.FormatInt(p.Launch.Version, 10),
		keys.NodeClass:        p.Launch.NodeClass,
		keys.LaunchRound:      strconv.Itoa(round),
	} {
		all[k] = v
	}
	keys := make([]string, 0, len(all))
	for k := range all {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	tags := make([]ec2types.Tag, 0, len(keys))
	for _, k := range keys {
		tags = append(tags, ec2types.Tag{Key: aws.String(k), Value: aws.String(all[k])})
	}
	return tags
}
