package warmpool

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go"
)

// tagState records a state on many instances, up to IDsPerCall per call.
func (e *Engine) tagState(ctx context.Context, ids []string, state State, extra ...ec2types.Tag) error {
	tags := append([]ec2types.Tag{{Key: aws.String(KeyState), Value: aws.String(string(state))}}, extra...)
	for _, batch := range chunks(ids, e.Options.withDefaults().IDsPerCall) {
		if _, err := e.EC2.CreateTags(ctx, &ec2.CreateTagsInput{Resources: batch, Tags: tags}); err != nil {
			return fmt.Errorf("tag %d instances %s=%s: %w", len(batch), KeyState, state, err)
		}
	}
	return nil
}

func (e *Engine) stopInstances(ctx context.Context, ids []string, force bool) error {
	for _, batch := range chunks(ids, e.Options.withDefaults().IDsPerCall) {
		if _, err := e.EC2.StopInstances(ctx, &ec2.StopInstancesInput{InstanceIds: batch, Force: aws.Bool(force)}); err != nil {
			return fmt.Errorf("stop %d instances: %w", len(batch), err)
		}
	}
	return nil
}

// terminateInstances terminates ids in batches. EC2 fails a whole call when
// one id is unknown, so unknown ids (already gone) are dropped and the call
// repeated.
func (e *Engine) terminateInstances(ctx context.Context, ids []string) error {
	for _, batch := range chunks(ids, e.Options.withDefaults().IDsPerCall) {
		for len(batch) > 0 {
			_, err := e.EC2.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: batch})
			var apiErr smithy.APIError
			if errors.As(err, &apiErr) && apiErr.ErrorCode() == "InvalidInstanceID.NotFound" {
				unknown := unknownIDs(apiErr.ErrorMessage(), batch)
				if len(unknown) == 0 {
					return fmt.Errorf("terminate %d instances: %w", len(batch), err)
				}
				batch = without(batch, unknown)
				continue
			}
			if err != nil {
				return fmt.Errorf("terminate %d instances: %w", len(batch), err)
			}
			break
		}
	}
	return nil
}

// unknownIDs picks the ids EC2 named in an InvalidInstanceID.NotFound message.
func unknownIDs(message string, ids []string) map[string]bool {
	out := map[string]bool{}
	for _, id := range ids {
		if strings.Contains(message, id) {
			out[id] = true
		}
	}
	return out
}

func without(ids []string, drop map[string]bool) []string {
	var out []string
	for _, id := range ids {
		if !drop[id] {
			out = append(out, id)
		}
	}
	return out
}

// consoleTail returns the last lines of an instance's console output; a
// failure to read it is reported in its place rather than hiding the warmup failure.
func (e *Engine) consoleTail(ctx context.Context, id string) string {
	out, err := e.EC2.GetConsoleOutput(ctx, &ec2.GetConsoleOutputInput{InstanceId: aws.String(id), Latest: aws.Bool(true)})
	if err != nil {
		return "(console output unavailable: " + err.Error() + ")"
	}
	text := decodeConsole(aws.ToString(out.Output))
	if text == "" {
		return ""
	}
	return lastLines(text, e.Options.withDefaults().ConsoleLines)
}

// missingPolls is how many polls an instance may be invisible (eventual
// consistency right after a launch) before a wait stops expecting it.
const missingPolls = 5

// waitInstances polls the pool (one paginated describe per poll, never one
// call per instance) until done holds for every id, or the id is gone.
func (e *Engine) waitInstances(ctx context.Context, poolID string, ids []string, done func(Instance) bool) error {
	if len(ids) == 0 {
		return nil
	}
	opts := e.Options.withDefaults()
	pending := map[string]bool{}
	for _, id := range ids {
		pending[id] = true
	}
	delay := opts.PollInterval
	start := time.Now()
	missed := map[string]int{}
	for {
		// Polls keep their schedule whatever a describe of a large pool
		// takes, so a stop of 3 s is seen by the poll at 3 s.
		polled := time.Now()
		found, err := e.findPoolInstances(ctx, poolID, true)
		if err != nil {
			return err
		}
		seen := map[string]bool{}
		for _, i := range found {
			seen[i.ID] = true
			if pending[i.ID] && (done(i) || i.EC2State == ec2types.InstanceStateNameTerminated) {
				delete(pending, i.ID)
			}
		}
		// An id EC2 never shows again is gone for good (or was never
		// launched): waiting on it would never end.
		for id := range pending {
			if !seen[id] {
				if missed[id]++; missed[id] >= missingPolls {
					delete(pending, id)
				}
			}
		}
		if len(pending) == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for %d instances: %w", len(pending), context.Cause(ctx))
		case <-time.After(untilNextPoll(delay, time.Since(polled))):
		}
		delay = nextPollDelay(opts, delay, time.Since(start))
	}
}

// untilNextPoll is how long to sleep after a describe that lasted took, so
// that polls keep their schedule however long describing a large pool takes.
func untilNextPoll(delay, took time.Duration) time.Duration {
	return max(0, delay-took)
}

// nextPollDelay keeps the poll interval steady for the first SteadyPolling
// of a wait (a stop or start usually ends within it) and backs off after.
func nextPollDelay(opts Options, delay, waited time.Duration) time.Duration {
	if waited < opts.SteadyPolling {
		return delay
	}
	return min(delay*3/2, opts.MaxPollInterval)
}
