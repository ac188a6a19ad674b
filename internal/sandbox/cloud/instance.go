package cloud

import (
	"maps"
	"time"
)

// EC2 instance states and their codes as DescribeInstances reports them.
const (
	StatePending      = "pending"
	StateRunning      = "running"
	StateShuttingDown = "shutting-down"
	StateTerminated   = "terminated"
	StateStopping     = "stopping"
	StateStopped      = "stopped"
)

var stateCodes = map[string]int{
	StatePending: 0, StateRunning: 16, StateShuttingDown: 32,
	StateTerminated: 48, StateStopping: 64, StateStopped: 80,
}

// consoleLimit is how much console output AWS keeps (the last 64 KiB).
const consoleLimit = 64 << 10

type instanceVolume struct {
	DeviceName          string
	VolumeID            string
	DeleteOnTermination bool
}

type instance struct {
	seq           uint64
	id            string
	reservationID string
	region        string
	imageID       string
	instanceType  string
	arch          string
	az            string
	subnetID      string
	vpcID         string
	privateIP     string
	privateDNS    string
	userData      string
	keyName       string
	clientToken   string
	launchIndex   int
	groups        []string
	volumes       []instanceVolume
	metadata      metadataSpec
	iamProfile    *iamProfileSpec
	ebsOptimized  bool
	launchTime    time.Time
	visibleAt     time.Time
	tags          map[string]string

	state             string
	gen               uint64 // bumps on every state change; stale timers compare it
	reason            string
	stateReasonCode   string
	stateReasonMsg    string
	terminatedAt      time.Time
	neverReady        bool
	everRan           bool
	firstBoot         bool
	terminatedEmitted bool
	console           []byte
}

func (i *instance) info() InstanceInfo {
	return InstanceInfo{
		ID: i.id, Region: i.region, AvailabilityZone: i.az, InstanceType: i.instanceType,
		Architecture: i.arch, ImageID: i.imageID, PrivateDNSName: i.privateDNS, PrivateIP: i.privateIP,
		UserData: i.userData, FirstBoot: i.firstBoot, NeverReady: i.neverReady,
	}
}

// setStateLocked moves inst to state and emits the event observers expect
// for that transition.
//
// A stop or termination through the API shows the state reason
// userInitiatedShutdown.
func (w *World) setStateLocked(inst *instance, state string) {
	now := w.clock.Now()
	inst.state = state
	inst.gen++
	switch state {
	case StateRunning:
		inst.firstBoot = !inst.everRan
		inst.everRan = true
		inst.reason, inst.stateReasonCode, inst.stateReasonMsg = "", "", ""
		w.emitLocked(InstanceRunning, inst)
	case StateStopping:
		inst.reason = userInitiated(now)
		inst.stateReasonCode, inst.stateReasonMsg = userInitiatedShutdown.code, userInitiatedShutdown.message
		w.emitLocked(InstanceStopping, inst)
	case StateShuttingDown:
		inst.reason = userInitiated(now)
		inst.stateReasonCode, inst.stateReasonMsg = userInitiatedShutdown.code, userInitiatedShutdown.message
		if !inst.terminatedEmitted {
			inst.terminatedEmitted = true
			w.emitLocked(InstanceTerminated, inst)
		}
	case StateTerminated:
		inst.terminatedAt = now
	}
}

func userInitiated(t time.Time) string {
	return "User initiated (" + t.UTC().Format("2006-01-02 15:04:05 GMT") + ")"
}

// scheduleLocked moves insts from state from to state to after d, skipping
// any instance that changed state in the meantime (e.g. terminated while
// pending).
func (w *World) scheduleLocked(insts []*instance, d time.Duration, from, to string) {
	if len(insts) == 0 {
		return
	}
	gens := make([]uint64, len(insts))
	for i, inst := range insts {
		gens[i] = inst.gen
	}
	w.sched.after(d, func() {
		w.mu.Lock()
		defer w.mu.Unlock()
		if w.closed {
			return
		}
		for i, inst := range insts {
			if inst.gen == gens[i] && inst.state == from {
				w.setStateLocked(inst, to)
			}
		}
	})
}

// visibleLocked reports whether DescribeInstances can see inst now: not
// inside its consistency window and not terminated for too long.
func (w *World) visibleLocked(inst *instance, now time.Time, cfg *Config) bool {
	if now.Before(inst.visibleAt) {
		return false
	}
	if inst.state == StateTerminated && now.Sub(inst.terminatedAt) > w.terminatedVisibility(cfg) {
		return false
	}
	return true
}

// Instance returns what the node simulator needs about one instance and its
// current state, whether or not DescribeInstances would show it.
func (w *World) Instance(id string) (InstanceInfo, string, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	inst, ok := w.instances[id]
	if !ok {
		return InstanceInfo{}, "", false
	}
	return inst.info(), inst.state, true
}

// InstanceRecord is one instance as the world knows it, for tests that
// audit what was launched (leaks, duplicates).
type InstanceRecord struct {
	InstanceInfo
	State         string
	Tags          map[string]string
	SubnetID      string
	ReservationID string
	ClientToken   string
	LaunchTime    time.Time
}

// AllInstances lists every instance ever launched, in launch order,
// including terminated ones DescribeInstances no longer shows.
func (w *World) AllInstances() []InstanceRecord {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([]InstanceRecord, 0, len(w.order))
	for _, inst := range w.order {
		out = append(out, InstanceRecord{
			InstanceInfo: inst.info(), State: inst.state, Tags: maps.Clone(inst.tags),
			SubnetID: inst.subnetID, ReservationID: inst.reservationID, ClientToken: inst.clientToken,
			LaunchTime: inst.launchTime,
		})
	}
	return out
}

// AppendConsoleOutput adds text to what GetConsoleOutput returns for the
// instance, keeping the last 64 KiB as AWS does. Unknown ids are ignored:
// the node simulator may race with termination.
func (w *World) AppendConsoleOutput(id, text string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	inst, ok := w.instances[id]
	if !ok {
		return
	}
	inst.console = append(inst.console, text...)
	if over := len(inst.console) - consoleLimit; over > 0 {
		inst.console = append([]byte(nil), inst.console[over:]...)
	}
}

var _ ConsoleWriter = (*World)(nil)
