package warmpool

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go"

	"github.com/stratos-sh/terraform-provider-stratos/internal/poll"
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

// missingChecks is how many polls in a row an instance may be invisible
// before a wait stops expecting it: right after a launch EC2 may not show
// it yet (eventual consistency), and a long-terminated one it never shows
// again.
const missingChecks = 5

// waitInstances polls the pool (one paginated describe per poll, never one
// call per instance) until done holds for every id, or the id is gone.
func (e *Engine) waitInstances(ctx context.Context, poolID string, ids []string, done func(Instance) bool) error {
	if len(ids) == 0 {
		return nil
	}
	pending := map[string]bool{}
	for _, id := range ids {
		pending[id] = true
	}
	o := e.pollOptions()
	o.NotFoundChecks = missingChecks
	err := poll.Until(ctx, o, func(ctx context.Context, r *poll.Round) (bool, error) {
		found, err := e.findPoolInstances(ctx, poolID, true)
		if err != nil {
			return false, err
		}
		for _, i := range found {
			r.Seen(i.ID)
			if pending[i.ID] && (done(i) || i.EC2State == ec2types.InstanceStateNameTerminated) {
				delete(pending, i.ID)
			}
		}
		for id := range pending {
			if r.Missing(id) {
				delete(pending, id)
			}
		}
		return len(pending) == 0, nil
	})
	if err != nil {
		return fmt.Errorf("waiting for %d instances: %w", len(pending), err)
	}
	return nil
}
