package cloud

import (
	"encoding/base64"
	"fmt"
	"maps"
	"net/http"
	"net/netip"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
)

func init() {
	ec2Actions["RunInstances"] = runInstances
}

// userDataLimit is AWS's limit on decoded user data.
const userDataLimit = 16 << 10

// runToken remembers a successful RunInstances by client token: the same
// token with the same parameters returns the same reservation.
type runToken struct {
	fingerprint string
	instances   []*instance
}

type runInstancesResponse struct {
	ec2Meta
	xmlReservation
}

// tagParam matches the flattened tags of a tag specification, e.g.
// TagSpecification.1.Tag.3.Key or LaunchTemplateData.TagSpecification.2.Tag.1.Value.
var tagParam = regexp.MustCompile(`^(.*TagSpecification\.\d+)\.Tag\.(\d+)\.(Key|Value)$`)

var tagSpecTypeParam = regexp.MustCompile(`TagSpecification\.\d+\.ResourceType$`)

// requestFingerprint identifies a request's parameters apart from its
// client token, for ClientToken idempotency. Tags are compared as sets:
// callers that build them from maps send them in any order, and the order
// carries no meaning.
func requestFingerprint(q query, exclude ...string) string {
	type tagKey struct{ spec, index string }
	tags := map[tagKey][2]string{}
	var lines []string
	for k, vs := range q.v {
		if slices.Contains(exclude, k) {
			continue
		}
		if m := tagParam.FindStringSubmatch(k); m != nil {
			tk := tagKey{m[1], m[2]}
			kv := tags[tk]
			if m[3] == "Key" {
				kv[0] = strings.Join(vs, "\x00")
			} else {
				kv[1] = strings.Join(vs, "\x00")
			}
			tags[tk] = kv
			continue
		}
		if tagSpecTypeParam.MatchString(k) {
			lines = append(lines, "spec "+strings.Join(vs, "\x00"))
			continue
		}
		lines = append(lines, k+"="+strings.Join(vs, "\x00"))
	}
	for tk, kv := range tags {
		specType := q.str(tk.spec + ".ResourceType")
		lines = append(lines, "tag "+specType+" "+kv[0]+"="+kv[1])
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

func runInstances(w *World, q query) (any, error) {
	minCount, err := q.intParam("MinCount")
	if err != nil {
		return nil, err
	}
	maxCount, err := q.intParam("MaxCount")
	if err != nil {
		return nil, err
	}
	if minCount == nil {
		return nil, clientError("MissingParameter", "The request must contain the parameter MinCount")
	}
	if maxCount == nil {
		return nil, clientError("MissingParameter", "The request must contain the parameter MaxCount")
	}
	if *minCount < 1 || *maxCount < 1 {
		return nil, clientError("InvalidParameterValue", "Value (%d) for parameter minCount/maxCount is invalid. Expected a positive integer.", min(*minCount, *maxCount))
	}
	if *minCount > *maxCount {
		return nil, clientError("InvalidParameterValue", "Value (%d) for parameter maxCount is invalid. Expected a value greater than or equal to minCount (%d).", *maxCount, *minCount)
	}
	token := q.str("ClientToken")
	if len(token) > 64 {
		return nil, clientError("InvalidParameterValue", "Value (%s) for parameter clientToken is invalid. Client tokens must be at most 64 ASCII characters.", token)
	}
	req, err := parseLaunchData(q, "")
	if err != nil {
		return nil, err
	}
	fingerprint := requestFingerprint(q, "ClientToken")

	w.mu.Lock()
	defer w.mu.Unlock()
	cfg := w.cfg.Load()
	if token != "" {
		if prev, ok := w.rememberedTokenLocked(token, w.clock.Now(), cfg); ok {
			if prev.fingerprint != fingerprint {
				return nil, clientError("IdempotentParameterMismatch", "Arguments on this idempotent request are inconsistent with arguments used in previous request(s).")
			}
			return &runInstancesResponse{xmlReservation: w.reservationXMLLocked(prev.instances)}, nil
		}
	}

	data := req
	var ltTags map[string]string
	if q.hasPrefix("LaunchTemplate.") {
		lt, ver, err := w.resolveTemplateLocked(q.str("LaunchTemplate.LaunchTemplateId"), q.str("LaunchTemplate.LaunchTemplateName"), q.str("LaunchTemplate.Version"))
		if err != nil {
			return nil, err
		}
		data = overlay(ver.data, req)
		ltTags = map[string]string{"aws:ec2launchtemplate:id": lt.id, "aws:ec2launchtemplate:version": strconv.FormatInt(ver.number, 10)}
	}
	plan, err := w.validateLaunchLocked(data)
	if err != nil {
		return nil, err
	}
	if e := w.unsupportedError(cfg, plan.itype.Name, plan.subnet.AZ); e != nil {
		return nil, e
	}
	if e := w.capacityErrorLocked(cfg, plan.itype.Name, plan.subnet.AZ); e != nil {
		return nil, e
	}
	free := w.freeAddressesLocked(plan.subnet)
	if free < *minCount {
		return nil, clientError("InsufficientFreeAddressesInSubnet", "There are not enough free addresses in subnet '%s' to satisfy the requested number of instances.", plan.subnet.ID)
	}
	count := min(*maxCount, free)
	if room, limited := w.capacityRoomLocked(cfg, plan.itype.Name, plan.subnet.AZ); limited {
		if room < *minCount {
			return nil, w.insufficientCapacity(cfg, plan.itype.Name, plan.subnet.AZ)
		}
		count = min(count, room)
	}

	now := w.clock.Now()
	reservationID := w.newIDLocked("r")
	instTags := tagsFor(data.TagSpecs, "instance")
	for k, v := range ltTags {
		instTags[k] = v
	}
	launched := make([]*instance, 0, count)
	for i := 0; i < count; i++ {
		w.seq++
		ip := w.allocateIPLocked(plan.subnet)
		inst := &instance{
			seq:           w.seq,
			id:            w.newIDLocked("i"),
			reservationID: reservationID,
			region:        w.region,
			imageID:       plan.image.ID,
			instanceType:  plan.itype.Name,
			arch:          plan.image.Architecture,
			az:            plan.subnet.AZ,
			subnetID:      plan.subnet.ID,
			vpcID:         w.catalog.vpc.ID,
			privateIP:     ip.String(),
			privateDNS:    w.privateDNSName(ip),
			userData:      data.UserData,
			keyName:       data.KeyName,
			clientToken:   token,
			launchIndex:   i,
			groups:        plan.groups,
			metadata:      plan.metadata,
			iamProfile:    plan.iamProfile,
			ebsOptimized:  data.EbsOptimized == nil || *data.EbsOptimized,
			launchTime:    now,
			visibleAt:     now.Add(cfg.ConsistencyDelay.D()),
			tags:          cloneTags(instTags),
			neverReady:    cfg.NeverReadyRate > 0 && w.rng.Float64() < cfg.NeverReadyRate,
		}
		for _, bd := range plan.volumes {
			inst.volumes = append(inst.volumes, instanceVolume{DeviceName: bd.DeviceName, VolumeID: w.newIDLocked("vol"), DeleteOnTermination: bd.DeleteOnTermination})
		}
		w.instances[inst.id] = inst
		w.order = append(w.order, inst)
		w.setStateLocked(inst, StatePending)
		launched = append(launched, inst)
	}
	if token != "" {
		w.tokens[token] = &runToken{fingerprint: fingerprint, instances: launched}
	}
	proceeding := w.scheduleFailuresLocked(cfg, FailLaunch, launched, cfg.Latency.Launch.D(), StateTerminated)
	w.scheduleLocked(proceeding, cfg.Latency.Launch.D(), StatePending, StateRunning)
	return &runInstancesResponse{xmlReservation: w.reservationXMLLocked(launched)}, nil
}

func cloneTags(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// launchPlan is a validated launch: every reference resolved.
type launchPlan struct {
	image      *image
	itype      InstanceTypeInfo
	subnet     *subnet
	groups     []string
	volumes    []instanceVolume
	metadata   metadataSpec
	iamProfile *iamProfileSpec
}

func (w *World) validateLaunchLocked(d launchData) (launchPlan, error) {
	var p launchPlan
	if d.ImageID == "" {
		return p, clientError("MissingParameter", "The request must contain the parameter ImageId")
	}
	img, ok := w.catalog.imageByID[d.ImageID]
	if !ok {
		if !validResourceID(d.ImageID, "ami") {
			return p, clientError("InvalidAMIID.Malformed", "Invalid id: \"%s\" (expecting \"ami-...\")", d.ImageID)
		}
		return p, clientError("InvalidAMIID.NotFound", "The image id '[%s]' does not exist", d.ImageID)
	}
	p.image = img
	if d.InstanceType == "" {
		// AWS would default to m1.small, which the sandbox does not simulate;
		// an explicit error surfaces the missing type instead.
		return p, clientError("MissingParameter", "The request must contain the parameter InstanceType")
	}
	it, ok := instanceTypes[d.InstanceType]
	if !ok {
		return p, clientError("InvalidParameterValue", "Invalid value '%s' for InstanceType.", d.InstanceType)
	}
	p.itype = it
	if it.Architecture != img.Architecture {
		return p, clientError("InvalidParameterValue", "The architecture '%s' of the specified instance type does not match the architecture '%s' of the specified AMI. Specify an instance type and an AMI that have matching architectures, and try again. You can use 'describe-instance-types' or 'describe-images' to discover the architecture of the instance type or AMI.", it.Architecture, img.Architecture)
	}
	switch {
	case d.SubnetID != "":
		s, ok := w.catalog.subnetByID[d.SubnetID]
		if !ok {
			return p, clientError("InvalidSubnetID.NotFound", "The subnet ID '%s' does not exist", d.SubnetID)
		}
		if d.AvailabilityZone != "" && d.AvailabilityZone != s.AZ {
			return p, clientError("InvalidParameterValue", "Value (%s) for parameter availabilityZone is invalid. Subnet %s is in availability zone %s", d.AvailabilityZone, s.ID, s.AZ)
		}
		p.subnet = s
	case d.AvailabilityZone != "":
		s, ok := w.catalog.subnetByAZ[d.AvailabilityZone]
		if !ok {
			return p, clientError("InvalidParameterValue", "Invalid availability zone: [%s]", d.AvailabilityZone)
		}
		p.subnet = s
	default:
		p.subnet = &w.catalog.subnets[0]
	}
	if len(d.SecurityGroupIDs) == 0 {
		p.groups = []string{w.catalog.groups[0].ID}
	}
	for _, id := range d.SecurityGroupIDs {
		if _, ok := w.catalog.groupByID[id]; !ok {
			if !validResourceID(id, "sg") {
				return p, clientError("InvalidGroupId.Malformed", "Invalid id: \"%s\" (expecting \"sg-...\")", id)
			}
			return p, clientError("InvalidGroup.NotFound", "The security group '%s' does not exist", id)
		}
		p.groups = append(p.groups, id)
	}
	if d.UserData != "" {
		raw, err := base64.StdEncoding.DecodeString(d.UserData)
		if err != nil {
			return p, clientError("InvalidParameterValue", "Invalid BASE64 encoding of user data.")
		}
		if len(raw) > userDataLimit {
			return p, clientError("InvalidParameterValue", "User data is limited to %d bytes", userDataLimit)
		}
	}
	if err := validateTagSpecs(d.TagSpecs, "instance", "volume", "network-interface"); err != nil {
		return p, err
	}
	// Bottlerocket AMIs map a root and a data volume; a launch may override
	// either by device name.
	defaults := []instanceVolume{{DeviceName: "/dev/xvda", DeleteOnTermination: true}, {DeviceName: "/dev/xvdb", DeleteOnTermination: true}}
	for _, bd := range d.BlockDevices {
		if bd.Ebs != nil {
			if err := checkEBSVolume(bd.DeviceName, *bd.Ebs); err != nil {
				return p, err
			}
		}
		i := slices.IndexFunc(defaults, func(v instanceVolume) bool { return v.DeviceName == bd.DeviceName })
		if bd.NoDevice != nil {
			if i >= 0 {
				defaults = slices.Delete(defaults, i, i+1)
			}
			continue
		}
		v := instanceVolume{DeviceName: bd.DeviceName, DeleteOnTermination: true}
		if bd.Ebs != nil && bd.Ebs.DeleteOnTermination != nil {
			v.DeleteOnTermination = *bd.Ebs.DeleteOnTermination
		}
		if i >= 0 {
			defaults[i] = v
		} else {
			defaults = append(defaults, v)
		}
	}
	p.volumes = defaults
	p.metadata = effectiveMetadata(d.Metadata, w.cfg.Load().InstanceMetadataDefaults)
	if err := checkLaunchTags(d, p.metadata); err != nil {
		return p, err
	}
	if ip := d.IamProfile; ip != nil {
		arn := ip.Arn
		if arn == "" {
			if ip.Name == "" {
				return p, clientError("InvalidParameterValue", "Value () for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name")
			}
			arn = instanceProfileARN(ip.Name)
		}
		role, err := w.resolveInstanceProfile(w.cfg.Load(), *ip)
		if err != nil {
			return p, err
		}
		if err := w.authorizePassRole(role); err != nil {
			return p, err
		}
		p.iamProfile = &iamProfileSpec{Arn: arn, Name: ip.Name}
	}
	return p, nil
}

func ptr[T any](v T) *T { return &v }

// capacityErrorLocked applies the insufficient_capacity fault.
func (w *World) capacityErrorLocked(cfg *Config, itype, az string) *apiError {
	if !slices.Contains(cfg.InsufficientCapacity, itype) && !slices.Contains(cfg.InsufficientCapacity, az) && !zoneDisrupted(cfg, az) {
		return nil
	}
	return w.insufficientCapacity(cfg, itype, az)
}

// capacityRoomsLocked is how many more instances each zone or type in
// Config.Capacity can take: its cap minus its pending and running instances.
func (w *World) capacityRoomsLocked(cfg *Config) map[string]int {
	if len(cfg.Capacity) == 0 {
		return nil
	}
	rooms := maps.Clone(cfg.Capacity)
	for _, inst := range w.order {
		if inst.state != StatePending && inst.state != StateRunning {
			continue
		}
		if _, ok := rooms[inst.az]; ok {
			rooms[inst.az]--
		}
		if _, ok := rooms[inst.instanceType]; ok {
			rooms[inst.instanceType]--
		}
	}
	return rooms
}

// capacityRoomLocked is how many more instances of itype fit in az;
// limited is false when no cap applies.
func (w *World) capacityRoomLocked(cfg *Config, itype, az string) (room int, limited bool) {
	rooms := w.capacityRoomsLocked(cfg)
	room = int(^uint(0) >> 1)
	for _, k := range []string{az, itype} {
		if r, ok := rooms[k]; ok {
			room, limited = min(room, r), true
		}
	}
	return max(room, 0), limited
}

// insufficientCapacity is AWS's InsufficientInstanceCapacity error, whose
// message names the zones that still have capacity (the text as real
// accounts answer it, quoted in public reports such as
// infochimps-labs/ironfan issue #324 and amzn/amazon-ray issue #10; the
// EC2 API reference's "Error codes" gives only its meaning).
func (w *World) insufficientCapacity(cfg *Config, itype, az string) *apiError {
	short := func(v string) bool {
		if slices.Contains(cfg.InsufficientCapacity, v) {
			return true
		}
		n, ok := cfg.Capacity[v]
		return ok && n == 0
	}
	msg := fmt.Sprintf("We currently do not have sufficient %s capacity in the Availability Zone you requested (%s). Our system will be working on provisioning additional capacity.", itype, az)
	if !short(itype) {
		var others []string
		for _, s := range w.catalog.subnets {
			if s.AZ != az && !short(s.AZ) {
				others = append(others, s.AZ)
			}
		}
		if len(others) > 0 {
			msg += fmt.Sprintf(" You can currently get %s capacity by not specifying an Availability Zone in your request or choosing %s.", itype, strings.Join(others, ", "))
		}
	}
	// EC2 reports capacity shortage as a server error (HTTP 500), which the
	// SDK's standard retryer retries like any 5xx.
	return &apiError{Status: http.StatusInternalServerError, Code: "InsufficientInstanceCapacity", Message: msg}
}

func (w *World) freeAddressesLocked(s *subnet) int {
	// AWS reserves the first four addresses and the last one of a subnet.
	size := 1 << (32 - s.Prefix.Bits())
	used := int(w.nextIP[s.ID])
	if used < 4 {
		used = 4
	}
	return size - 1 - used
}

func (w *World) allocateIPLocked(s *subnet) netip.Addr {
	off := w.nextIP[s.ID]
	if off < 4 {
		off = 4
	}
	w.nextIP[s.ID] = off + 1
	base := s.Prefix.Addr().As4()
	n := uint32(base[0])<<24 | uint32(base[1])<<16 | uint32(base[2])<<8 | uint32(base[3])
	n += off
	return netip.AddrFrom4([4]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)})
}

func (w *World) privateDNSName(ip netip.Addr) string {
	name := "ip-" + strings.ReplaceAll(ip.String(), ".", "-")
	if w.region == "us-east-1" {
		return name + ".ec2.internal"
	}
	return name + "." + w.region + ".compute.internal"
}

// newIDLocked makes an id like AWS's: prefix, dash, 17 hex digits.
func (w *World) newIDLocked(prefix string) string {
	return fmt.Sprintf("%s-%x%016x", prefix, w.rng.IntN(16), w.rng.Uint64())
}

// validResourceID reports whether id looks like prefix-<8 or 17 hex>.
func validResourceID(id, prefix string) bool {
	rest, ok := strings.CutPrefix(id, prefix+"-")
	if !ok || (len(rest) != 8 && len(rest) != 17) {
		return false
	}
	for _, c := range rest {
		if !strings.ContainsRune("0123456789abcdef", c) {
			return false
		}
	}
	return true
}
