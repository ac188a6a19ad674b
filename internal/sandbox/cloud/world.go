package cloud

import (
	"fmt"
	"io"
	"log/slog"
	"maps"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// AccountID is the sandbox's AWS account.
const AccountID = "123456789012"

// DefaultTerminatedVisibility is how long AWS keeps terminated instances in
// DescribeInstances results (about an hour).
const DefaultTerminatedVisibility = time.Hour

// Clock supplies the world's notion of now for timestamps, consistency
// windows and the visibility of terminated instances. Transitions still run
// on real timers, so a fake clock only shifts what "now" means.
type Clock interface {
	Now() time.Time
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

// Options configures a World.
type Options struct {
	// Region is the only region the world answers for; default us-east-1.
	Region string
	// Config is the initial behaviour; the zero value means DefaultConfig().
	Config *Config
	// Seed makes ids and fault draws repeatable; 0 means 1.
	Seed uint64
	// Clock defaults to the wall clock.
	Clock Clock
	// Logger receives one line per API request; nil discards.
	Logger *slog.Logger
}

// World is the in-memory AWS account the sandbox serves: one region with a
// VPC, subnets, a security group, Bottlerocket images and their SSM
// parameters, launch templates and instances.
type World struct {
	region string
	clock  Clock
	log    *slog.Logger
	cfg    atomic.Pointer[Config]
	stats  *statsCounter
	sched  *scheduler

	catalog  *catalog
	profiles instanceProfiles

	throttleMu  sync.Mutex
	throttleRNG *rand.Rand
	buckets     buckets

	// mu guards everything below. Handlers hold it only to read or mutate
	// state, never while encoding responses or sleeping.
	mu             sync.Mutex
	rng            *rand.Rand
	seq            uint64
	instances      map[string]*instance
	order          []*instance // every instance ever launched, by launch order
	tokens         map[string]*runToken
	templates      map[string]*launchTemplate // by id
	templateByName map[string]*launchTemplate
	templateTokens map[string]*templateToken
	nextIP         map[string]uint32 // subnet id → next host offset
	subscribers    []*subscriber
	closed         bool
}

// NewWorld builds a world and starts its scheduler; Close stops it.
func NewWorld(opts Options) *World {
	region := opts.Region
	if region == "" {
		region = "us-east-1"
	}
	seed := opts.Seed
	if seed == 0 {
		seed = 1
	}
	clock := opts.Clock
	if clock == nil {
		clock = realClock{}
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	w := &World{
		region:         region,
		clock:          clock,
		log:            logger,
		stats:          newStatsCounter(),
		sched:          newScheduler(),
		catalog:        newCatalog(region),
		throttleRNG:    rand.New(rand.NewPCG(seed, 0x7468726f74746c65)),
		rng:            rand.New(rand.NewPCG(seed, 0x776f726c64)),
		instances:      map[string]*instance{},
		tokens:         map[string]*runToken{},
		templates:      map[string]*launchTemplate{},
		templateByName: map[string]*launchTemplate{},
		templateTokens: map[string]*templateToken{},
		nextIP:         map[string]uint32{},
	}
	cfg := DefaultConfig()
	if opts.Config != nil {
		cfg = *opts.Config
	}
	if err := w.SetConfig(cfg); err != nil {
		// An invalid initial config is a programming error in the caller;
		// fall back to defaults rather than running with nonsense.
		logger.Error("invalid initial sandbox config, using defaults", "err", err)
		def := DefaultConfig()
		w.cfg.Store(&def)
	}
	return w
}

// Region is the world's region.
func (w *World) Region() string { return w.region }

// Config returns the current behaviour.
func (w *World) Config() Config {
	c := *w.cfg.Load()
	return c.clone()
}

// SetConfig validates and applies c. Transitions already scheduled keep the
// latency they were scheduled with; later ones read the new values.
func (w *World) SetConfig(c Config) error {
	if err := w.validateConfig(c); err != nil {
		return err
	}
	c = c.clone()
	w.cfg.Store(&c)
	return nil
}

// clone copies c's slices and maps, so that a caller's later changes to
// what it passed or got never reach the world's config.
func (c Config) clone() Config {
	c.InsufficientCapacity = slices.Clone(c.InsufficientCapacity)
	c.Capacity = maps.Clone(c.Capacity)
	c.AcceptedFailures = slices.Clone(c.AcceptedFailures)
	c.DisruptedZones = slices.Clone(c.DisruptedZones)
	c.RateLimits = c.RateLimits.clone()
	c.AccountRules = c.AccountRules.clone()
	return c
}

func (w *World) validateConfig(c Config) error {
	for name, d := range map[string]Duration{
		"latency.launch": c.Latency.Launch, "latency.boot": c.Latency.Boot, "latency.cni": c.Latency.CNI,
		"latency.stop": c.Latency.Stop, "latency.start": c.Latency.Start, "latency.terminate": c.Latency.Terminate,
		"latency.api": c.Latency.API, "consistency_delay": c.ConsistencyDelay, "terminated_visibility": c.TerminatedVisibility,
		"client_token_memory": c.ClientTokenMemory,
	} {
		if d < 0 {
			return fmt.Errorf("%s must not be negative, got %s", name, d.D())
		}
	}
	switch c.Network {
	case "vpc-cni", "cilium", "calico":
	default:
		return fmt.Errorf("network must be one of vpc-cni, cilium, calico; got %q", c.Network)
	}
	if c.ThrottleRate < 0 || c.ThrottleRate > 1 {
		return fmt.Errorf("throttle_rate must be within [0, 1], got %v", c.ThrottleRate)
	}
	if c.NeverReadyRate < 0 || c.NeverReadyRate > 1 {
		return fmt.Errorf("never_ready_rate must be within [0, 1], got %v", c.NeverReadyRate)
	}
	for _, v := range c.InsufficientCapacity {
		if !w.isZoneOrType(v) {
			return fmt.Errorf("insufficient_capacity entry %q is neither an availability zone of %s (%v) nor a known instance type", v, w.region, w.catalog.azs())
		}
	}
	if err := w.validateAcceptedFailures(c.AcceptedFailures); err != nil {
		return err
	}
	if err := w.validateDisruptedZones(c.DisruptedZones); err != nil {
		return err
	}
	if err := validateRateLimits(c.RateLimits); err != nil {
		return err
	}
	for k, n := range c.Capacity {
		if !w.isZoneOrType(k) {
			return fmt.Errorf("capacity key %q is neither an availability zone of %s (%v) nor a known instance type", k, w.region, w.catalog.azs())
		}
		if n < 0 {
			return fmt.Errorf("capacity of %s must not be negative, got %d", k, n)
		}
	}
	return w.validateAccountRules(c.AccountRules)
}

func (w *World) isZoneOrType(v string) bool {
	if _, ok := w.catalog.subnetByAZ[v]; ok {
		return true
	}
	_, ok := instanceTypes[v]
	return ok
}

func (w *World) terminatedVisibility(c *Config) time.Duration {
	if c.TerminatedVisibility > 0 {
		return c.TerminatedVisibility.D()
	}
	return DefaultTerminatedVisibility
}

// Close stops timers and event delivery. Pending transitions never happen.
func (w *World) Close() {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return
	}
	w.closed = true
	subs := w.subscribers
	w.subscribers = nil
	w.mu.Unlock()
	w.sched.close()
	for _, s := range subs {
		s.close()
	}
}

// SubnetIDs lists the sandbox subnets in AZ order.
func (w *World) SubnetIDs() []string {
	ids := make([]string, 0, len(w.catalog.subnets))
	for _, s := range w.catalog.subnets {
		ids = append(ids, s.ID)
	}
	return ids
}

// SecurityGroupIDs lists the sandbox security groups.
func (w *World) SecurityGroupIDs() []string {
	ids := make([]string, 0, len(w.catalog.groups))
	for _, g := range w.catalog.groups {
		ids = append(ids, g.ID)
	}
	return ids
}

// VPCID is the sandbox VPC.
func (w *World) VPCID() string { return w.catalog.vpc.ID }

// AvailabilityZones lists the zones that have a sandbox subnet.
func (w *World) AvailabilityZones() []string { return w.catalog.azs() }

// ImageID returns the AMI id SSM publishes as latest for a Bottlerocket
// variant (e.g. "aws-k8s-1.32" or "aws-k8s-1.32-nvidia") and architecture.
func (w *World) ImageID(variant, arch string) (string, bool) {
	return w.ImageIDOfRelease(variant, arch, latestBottlerocketVersion)
}

// ImageIDOfRelease returns the AMI id of one Bottlerocket release
// ("1.30.0") of a variant and architecture, as SSM publishes it under
// /aws/service/bottlerocket/<variant>/<arch>/<release>/image_id.
func (w *World) ImageIDOfRelease(variant, arch, release string) (string, bool) {
	for _, img := range w.catalog.images {
		if img.Variant == variant && img.Architecture == arch && img.Version == release {
			return img.ID, true
		}
	}
	return "", false
}

// InstanceType describes a simulated instance type.
func (w *World) InstanceType(name string) (InstanceTypeInfo, bool) {
	t, ok := instanceTypes[name]
	return t, ok
}

// InstanceTypes lists every simulated instance type, sorted by name.
func (w *World) InstanceTypes() []InstanceTypeInfo {
	out := make([]InstanceTypeInfo, 0, len(instanceTypes))
	for _, t := range instanceTypes {
		out = append(out, t)
	}
	slices.SortFunc(out, func(a, b InstanceTypeInfo) int {
		if a.Name < b.Name {
			return -1
		}
		if a.Name > b.Name {
			return 1
		}
		return 0
	})
	return out
}

// BottlerocketImage names the variant and Bottlerocket version of one of the
// world's AMIs, so a simulated node boots the settings model of its image.
func (w *World) BottlerocketImage(imageID string) (variant, version string, ok bool) {
	for _, img := range w.catalog.images {
		if img.ID == imageID {
			return img.Variant, img.Version, true
		}
	}
	return "", "", false
}
