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
	// Code is the state reason code, one of stateReasonMessages' keys.
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

// stateReasonMessages are the state reasons the sandbox can produce, with
// the message EC2 pairs with each code in StateReason.Message.
var stateReasonMessages = map[string]string{
	"Client.InternalError":                "Client.InternalError: Client error on launch",
	"Client.VolumeLimitExceeded":          "Client.VolumeLimitExceeded: Volume limit exceeded",
	"Server.InsufficientInstanceCapacity": "Server.InsufficientInstanceCapacity: Insufficient capacity to satisfy instance request",
	"Server.InternalError":                "Server.InternalError: Internal error on launch",
}

func (w *World) validateAcceptedFailures(fs []AcceptedFailure) error {
	for _, f := range fs {
		if f.Action != FailLaunch && f.Action != FailStart {
			return fmt.Errorf("accepted_failures: action must be %q or %q, got %q", FailLaunch, FailStart, f.Action)
		}
		if _, ok := stateReasonMessages[f.Code]; !ok {
			codes := make([]string, 0, len(stateReasonMessages))
			for c := range stateReasonMessages {
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
			inst.reason = code
			inst.stateReasonCode, inst.stateReasonMsg = code, stateReasonMessages[code]
		})
	}
	return ok
}
