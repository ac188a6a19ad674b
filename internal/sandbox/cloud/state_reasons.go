package cloud

import (
	"fmt"
	"slices"
	"time"
)

// AcceptedFailure makes calls EC2 accepted fail afterwards, as real EC2
// does: a launch goes pending → terminated and a start pending → stopped,
// with a StateReason (EC2 API reference, StateReason; EC2 User Guide,
// "Troubleshoot Amazon EC2 instance launch issues": an instance that
// "terminates immediately" names the reason in its state reason, e.g.
// Client.InternalError when the caller may not create KMS grants for an
// encrypted volume with a customer managed key).
type AcceptedFailure struct {
	// Action is "launch" (RunInstances) or "start" (StartInstances).
	Action string `json:"action"`
	// Code names the failure, one of stateReasons' keys: the state reason
	// code EC2 reports it with, or for Client.VolumeLimitExceeded the code
	// its message starts with (EC2 reports that one as Server.InternalError).
	Code string `json:"code"`
	// Match limits the fault to an availability zone or an instance type;
	// empty matches every instance.
	Match string `json:"match,omitempty"`
}

// Actions an AcceptedFailure applies to.
const (
	FailLaunch = "launch"
	FailStart  = "start"
)

// stateReason is what DescribeInstances shows for a failure after
// acceptance: StateReason.Code and StateReason.Message.
type stateReason struct{ code, message string }

// stateReasons are the failures the sandbox can produce, keyed by the name
// an AcceptedFailure gives them. The codes are those of the EC2 API
// reference (StateReason); no AWS page lists the message texts, so each
// follows a published example or a reported real answer.
var stateReasons = map[string]stateReason{
	// EC2 User Guide, "Troubleshoot Amazon EC2 instance launch issues",
	// "Instance terminates immediately": the text quoted for a root volume
	// encrypted with a KMS key the caller may not use; AWS re:Post
	// knowledge center "kms-iam-ec2-permission" shows the same StateReason
	// (code and message) for a start that goes pending → stopped.
	"Client.InternalError": {"Client.InternalError", "Client.InternalError: Client error on launch"},
	// The same User Guide page's example StateReason for an EBS volume
	// limit: the message names Client.VolumeLimitExceeded, the code is
	// Server.InternalError.
	"Client.VolumeLimitExceeded": {"Server.InternalError", "Client.VolumeLimitExceeded: Volume limit exceeded"},
	// As real accounts answer it, quoted in public reports and code that
	// handles it (the API reference gives only the code's meaning).
	"Server.InsufficientInstanceCapacity": {"Server.InsufficientInstanceCapacity", "Server.InsufficientInstanceCapacity: Insufficient capacity."},
	// As real accounts answer it, quoted in public reports and in the
	// BOSH AWS CPI's handling of instances terminated on launch.
	"Server.InternalError": {"Server.InternalError", "Server.InternalError: Internal error on launch"},
}

// userInitiatedShutdown is the state reason of an instance stopped or
// terminated through the API: the code is the EC2 API reference's
// (StateReason, "Client.UserInitiatedShutdown: The instance was shut down
// using the Amazon EC2 API"), the message as DescribeInstances answers it
// in the output users publish (the reference gives no message texts).
var userInitiatedShutdown = stateReason{"Client.UserInitiatedShutdown", "Client.UserInitiatedShutdown: User initiated shutdown"}

func (w *World) validateAcceptedFailures(fs []AcceptedFailure) error {
	for _, f := range fs {
		if f.Action != FailLaunch && f.Action != FailStart {
			return fmt.Errorf("accepted_failures: action must be %q or %q, got %q", FailLaunch, FailStart, f.Action)
		}
		if _, ok := stateReasons[f.Code]; !ok {
			codes := make([]string, 0, len(stateReasons))
			for c := range stateReasons {
				codes = append(codes, c)
			}
			slices.Sort(codes)
			return fmt.Errorf("accepted_failures: code must be one of %v, got %q", codes, f.Code)
		}
		if f.Match != "" && !w.isZoneOrType(f.Match) {
			return fmt.Errorf("accepted_failures: match %q is neither an availability zone of %s nor a known instance type", f.Match, w.region)
		}
	}
	return nil
}

// acceptedFailure is the state reason code an accepted action on
// inst fails with later, or "".
func acceptedFailure(c *Config, action string, inst *instance) string {
	for _, f := range c.AcceptedFailures {
		if f.Action == action && (f.Match == "" || f.Match == inst.az || f.Match == inst.instanceType) {
			return f.Code
		}
	}
	return ""
}

// scheduleFailuresLocked splits insts, which just entered pending, into
// those that proceed normally and those that an AcceptedFailure sends to
// final (terminated after a launch, stopped after a start) with a state
// reason after latency.
func (w *World) scheduleFailuresLocked(c *Config, action string, insts []*instance, latency time.Duration, final string) []*instance {
	var ok []*instance
	for _, inst := range insts {
		code := acceptedFailure(c, action, inst)
		if code == "" {
			ok = append(ok, inst)
			continue
		}
		gen := inst.gen
		w.sched.after(latency, func() {
			w.mu.Lock()
			defer w.mu.Unlock()
			if w.closed || inst.gen != gen || inst.state != StatePending {
				return
			}
			w.setStateLocked(inst, final)
			r := stateReasons[code]
			inst.reason = r.code
			inst.stateReasonCode, inst.stateReasonMsg = r.code, r.message
		})
	}
	return ok
}
