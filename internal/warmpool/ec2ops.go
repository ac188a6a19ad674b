package warmpool

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go"

	"github.com/stratos-sh/terraform-provider-stratos/internal/keys"
	"github.com/stratos-sh/terraform-provider-stratos/internal/poll"
)

// tagState records a state on many instances, up to IDsPerCall per call.
func (e *Engine) tagState(ctx context.Context, ids []string, state State, extra ...ec2types.Tag) error {
	tags := append([]ec2types.Tag{{Key: aws.String(keys.State), Value: aws.String(string(state))}}, extra...)
	for _, batch := range chunks(ids, e.Options.withDefaults().IDsPerCall) {
		if _, err := e.EC2.CreateTags(ctx, &ec2.CreateTagsInput{Resources: batch, Tags: tags}); err != nil {
			return fmt.Errorf("tag %d instances %s=%s: %w", len(batch), keys.State, state, err)
		}
	}
	return nil
}

// stopInstances stops ids, at most IDsPerCall per call and paced to
// StopInstances' resource bucket (see pace).
func (e *Engine) stopInstances(ctx context.Context, ids []string, force bool) error {
	_, err := e.pace(ctx, "", "StopInstances", len(ids), e.Options.withDefaults().IDsPerCall, func(ctx context.Context, from, n int) (int, error) {
		batch := ids[from : from+n]
		if _, err := e.EC2.StopInstances(ctx, &ec2.StopInstancesInput{InstanceIds: batch, Force: aws.Bool(force)}); err != nil {
			return 0, fmt.Errorf("stop %d instances: %w", len(batch), err)
		}
		return n, nil
	})
	return err
}

// terminateInstances terminates ids in batches, paced to
// TerminateInstances' resource bucket (see pace). EC2 fails a whole call when
// one id is unknown, so the ids it names are set aside and the call
// repeated for the rest. An unknown id is not proof that the instance is
// gone: right after a launch EC2 may not know it yet ("eventual
// consistency in the Amazon EC2 API", EC2 Developer Guide), and dropping it
// would leave it running. Set-aside ids are retried on the poll schedule
// until EC2 takes them or has answered "not found" notFoundChecks times in
// a row (terraform-provider-aws's NotFoundChecks): only then do they count
// as gone (terminated long ago).
func (e *Engine) terminateInstances(ctx context.Context, ids []string) error {
	var unknown []string
	_, err := e.pace(ctx, "", "TerminateInstances", len(ids), e.Options.withDefaults().IDsPerCall, func(ctx context.Context, from, n int) (int, error) {
		missing, err := e.terminateKnown(ctx, ids[from:from+n])
		if err != nil {
			return 0, err
		}
		unknown = append(unknown, missing...)
		return n, nil
	})
	if err != nil {
		return err
	}
	if len(unknown) == 0 {
		return nil
	}
	o := e.pollOptions()
	o.NotFoundChecks = notFoundChecks
	err = poll.Until(ctx, o, func(ctx context.Context, r *poll.Round) (bool, error) {
		missing, err := e.terminateKnown(ctx, unknown)
		if err != nil {
			return false, err
		}
		found := without(unknown, toSet(missing))
		for _, id := range found {
			r.Seen(id)
		}
		unknown = nil
		for _, id := range missing {
			if !r.Missing(id) {
				unknown = append(unknown, id)
			}
		}
		return len(unknown) == 0, nil
	})
	if err != nil {
		return fmt.Errorf("terminate %d instances EC2 does not know yet: %w", len(unknown), err)
	}
	return nil
}

// notFoundChecks bounds how many polls in a row an instance may be
// unknown to EC2 before the engine believes it gone.
const notFoundChecks = 20

// terminateKnown terminates the ids EC2 knows and returns the others.
func (e *Engine) terminateKnown(ctx context.Context, batch []string) (unknown []string, err error) {
	for len(batch) > 0 {
		_, err := e.EC2.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: batch})
		var apiErr smithy.APIError
		if errors.As(err, &apiErr) && apiErr.ErrorCode() == "InvalidInstanceID.NotFound" {
			named := unknownIDs(apiErr.ErrorMessage(), batch)
			if len(named) == 0 {
				return nil, fmt.Errorf("terminate %d instances: %w", len(batch), err)
			}
			for id := range named {
				unknown = append(unknown, id)
			}
			batch = without(batch, named)
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("terminate %d instances: %w", len(batch), err)
		}
		break
	}
	sort.Strings(unknown)
	return unknown, nil
}

func toSet(ids []string) map[string]bool {
	out := make(map[string]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out
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
	// Right after a launch EC2 may not show an instance yet; one
	// terminated long ago it never shows again.
	o.NotFoundChecks = notFoundChecks
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
