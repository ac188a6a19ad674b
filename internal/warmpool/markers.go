package warmpool

import (
	"crypto/sha256"
	"encoding/hex"
)

// State is an instance's place in the pool's life cycle, kept in the
// stratos.sh/state tag and label.
type State string

const (
	// StateWarmup: launched, not yet verified.
	StateWarmup State = "warmup"
	// StateStopping: verified; StopInstances issued, not yet seen stopped.
	StateStopping State = "stopping"
	// StateStandby: verified and stopped.
	StateStandby State = "standby"
	// StateRunning: started out of standby.
	StateRunning State = "running"
	// StateDraining: running, cordoned, its pods being evicted before the
	// instance returns to standby.
	StateDraining State = "draining"
	// StateFailed: warmup failed and timeout_action kept it stopped for inspection.
	StateFailed State = "failed"
)

// PoolID derives the identifier every instance and node of a pool carries. It
// is deterministic so that an apply that lost its state (a killed process)
// still finds what an earlier one launched; it fits a label value.
func PoolID(cluster, name string) string {
	sum := sha256.Sum256([]byte(cluster + "\x00" + name))
	return "wp-" + hex.EncodeToString(sum[:])[:20]
}
