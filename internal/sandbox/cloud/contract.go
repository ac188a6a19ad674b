package cloud

// This file is the contract between the simulated AWS world (this package)
// and the node simulator (package nodes). Change it only with both sides.

import "time"

// Latency is how long each simulated transition takes. JSON uses Go duration strings.
type Latency struct {
	Launch    Duration `json:"launch"`    // pending → running
	Boot      Duration `json:"boot"`      // running → node Ready (first boot)
	CNI       Duration `json:"cni"`       // node Ready → CNI ready
	Stop      Duration `json:"stop"`      // stopping → stopped
	Start     Duration `json:"start"`     // pending → running after StartInstances, and node Ready again
	Terminate Duration `json:"terminate"` // shutting-down → terminated
	API       Duration `json:"api"`       // added to every API call
}

// Config is the sandbox's tunable behaviour: GET/PUT /config on the control API.
type Config struct {
	Latency Latency `json:"latency"`
	// Network is the CNI the simulated nodes run: "vpc-cni", "cilium" or "calico".
	Network string `json:"network"`
	// InsufficientCapacity lists availability zones and/or instance types for
	// which RunInstances and StartInstances fail with InsufficientInstanceCapacity.
	InsufficientCapacity []string `json:"insufficient_capacity"`
	// ThrottleRate is the fraction of EC2 calls answered RequestLimitExceeded.
	ThrottleRate float64 `json:"throttle_rate"`
	// ConsistencyDelay is how long a new instance stays invisible to DescribeInstances.
	ConsistencyDelay Duration `json:"consistency_delay"`
	// NeverReadyRate is the fraction of new instances whose node never turns Ready.
	NeverReadyRate float64 `json:"never_ready_rate"`
	// Capacity caps how many instances may be pending or running at once per
	// availability zone or instance type. RunInstances launches as many of
	// MaxCount as fit and fails with InsufficientInstanceCapacity when fewer
	// than MinCount fit; StartInstances fails when its instances do not fit.
	Capacity map[string]int `json:"capacity,omitempty"`
	// TerminatedVisibility is how long terminated instances stay in
	// DescribeInstances results; 0 means an hour, as on AWS.
	TerminatedVisibility Duration `json:"terminated_visibility,omitempty"`
	// ClientTokenMemory is how long RunInstances remembers a client token
	// after the last instance it launched terminated; 0 means 24 hours, as on
	// AWS (see client_tokens.go).
	ClientTokenMemory Duration `json:"client_token_memory,omitempty"`
	// AcceptedFailures make accepted launches or starts fail afterwards with
	// a state reason (see state_reasons.go).
	AcceptedFailures []AcceptedFailure `json:"accepted_failures,omitempty"`
	// DisruptedZones are availability zones in a service disruption (see
	// zone_disruption.go).
	DisruptedZones []string `json:"disrupted_zones,omitempty"`
	// RateLimits are EC2's request and resource token buckets; nil turns
	// them off (see rate_limits.go).
	RateLimits *RateLimits `json:"rate_limits,omitempty"`
	// AccountRules: account settings and IAM (account_rules.go).
	AccountRules
}

// DefaultConfig is fast enough for tests.
func DefaultConfig() Config {
	return Config{
		Latency: Latency{
			Launch: Duration(time.Second), Boot: Duration(2 * time.Second), CNI: Duration(time.Second),
			Stop: Duration(time.Second), Start: Duration(time.Second), Terminate: Duration(time.Second),
		},
		Network: "vpc-cni",
	}
}

// InstanceEventKind is the power transition an instance just made.
type InstanceEventKind string

const (
	// InstanceRunning: the instance entered "running" (after launch or StartInstances).
	InstanceRunning InstanceEventKind = "running"
	// InstanceStopping: the instance entered "stopping"; its node stops answering.
	InstanceStopping InstanceEventKind = "stopping"
	// InstanceTerminated: the instance entered "shutting-down"/"terminated".
	InstanceTerminated InstanceEventKind = "terminated"
)

// InstanceInfo is what the node simulator needs to boot a node for an instance.
type InstanceInfo struct {
	ID               string
	Region           string
	AvailabilityZone string
	InstanceType     string
	Architecture     string // "x86_64" or "arm64"
	ImageID          string
	PrivateDNSName   string
	PrivateIP        string
	// UserData is exactly what RunInstances received (base64 text), or "".
	UserData string
	// FirstBoot is true on the launch's first "running", false after a start.
	FirstBoot bool
	// NeverReady is the never_ready_rate fault drawn for this instance at launch.
	NeverReady bool
}

// InstanceEvent is delivered to observers on every power transition.
type InstanceEvent struct {
	Kind     InstanceEventKind
	Instance InstanceInfo
}

// InstanceObserver receives instance events. Calls must not block for long:
// the world delivers them from its own goroutine, in order per instance.
type InstanceObserver interface {
	InstanceChanged(InstanceEvent)
}

// InstanceTypeInfo describes an instance type for node capacity.
type InstanceTypeInfo struct {
	Name         string
	VCPU         int
	MemoryMiB    int64
	MaxPods      int
	Architecture string
	GPUs         int
}

// ConsoleWriter lets the node simulator write what the instance's console would show;
// GetConsoleOutput returns it.
type ConsoleWriter interface {
	AppendConsoleOutput(instanceID, text string)
}
