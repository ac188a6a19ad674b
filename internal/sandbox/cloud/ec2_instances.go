package cloud

import (
	"cmp"
	"encoding/base64"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"
)

func init() {
	ec2Actions["DescribeInstances"] = describeInstances
	ec2Actions["StartInstances"] = startInstances
	ec2Actions["StopInstances"] = stopInstances
	ec2Actions["TerminateInstances"] = terminateInstances
	ec2Actions["GetConsoleOutput"] = getConsoleOutput
}

var instanceFilters = withTagFilters("instance-id", "instance-state-name", "instance-state-code", "subnet-id",
	"availability-zone", "instance-type", "image-id", "vpc-id", "private-dns-name", "private-ip-address",
	"reservation-id", "client-token", "architecture", "instance.group-id")

func (inst *instance) filterValues(name string) []string {
	switch name {
	case "instance-id":
		return []string{inst.id}
	case "instance-state-name":
		return []string{inst.state}
	case "instance-state-code":
		return []string{strconv.Itoa(stateCodes[inst.state])}
	case "subnet-id":
		return []string{inst.subnetID}
	case "availability-zone":
		return []string{inst.az}
	case "instance-type":
		return []string{inst.instanceType}
	case "image-id":
		return []string{inst.imageID}
	case "vpc-id":
		return []string{inst.vpcID}
	case "private-dns-name":
		return []string{inst.privateDNS}
	case "private-ip-address":
		return []string{inst.privateIP}
	case "reservation-id":
		return []string{inst.reservationID}
	case "client-token":
		return []string{inst.clientToken}
	case "architecture":
		return []string{inst.arch}
	case "instance.group-id":
		return inst.groups
	}
	return nil
}

func (w *World) instanceXMLLocked(inst *instance) xmlInstance {
	x := xmlInstance{
		InstanceID: inst.id, ImageID: inst.imageID, InstanceState: stateOf(inst.state),
		PrivateDNSName: inst.privateDNS, Reason: inst.reason, KeyName: inst.keyName,
		AmiLaunchIndex: inst.launchIndex, InstanceType: inst.instanceType, LaunchTime: ec2Timestamp(inst.launchTime),
		Placement:  xmlPlacement{AvailabilityZone: inst.az, AvailabilityZoneID: w.catalog.subnetByAZ[inst.az].AZID, Tenancy: "default"},
		Monitoring: xmlMonitoring{State: "disabled"}, SourceDestCheck: true,
		Architecture: inst.arch, RootDeviceType: "ebs", RootDeviceName: "/dev/xvda",
		VirtualizationType: "hvm", ClientToken: inst.clientToken, TagSet: xmlTags(inst.tags), Hypervisor: "xen",
		EbsOptimized: inst.ebsOptimized, EnaSupport: true, PlatformDetails: "Linux/UNIX", UsageOperation: "RunInstances",
		BootMode: "uefi-preferred", CurrentInstanceBootMo: "legacy-bios",
		MetadataOptions: xmlMetadataOptions{State: "applied", HTTPTokens: inst.metadata.HTTPTokens, HTTPEndpoint: inst.metadata.HTTPEndpoint,
			InstanceMetadataTags: inst.metadata.InstanceMetadataTags, HTTPPutResponseHopLimit: *inst.metadata.HTTPPutHopLimit},
	}
	// Terminated instances lose their network placement, as on AWS.
	if inst.state != StateTerminated {
		x.SubnetID, x.VpcID, x.PrivateIPAddress = inst.subnetID, inst.vpcID, inst.privateIP
		for _, g := range inst.groups {
			x.GroupSet = append(x.GroupSet, xmlGroup{GroupID: g, GroupName: w.catalog.groupByID[g].Name})
		}
		for _, v := range inst.volumes {
			x.BlockDeviceMapping = append(x.BlockDeviceMapping, xmlInstanceBlockDevice{DeviceName: v.DeviceName, Ebs: xmlInstanceEbs{
				VolumeID: v.VolumeID, Status: "attached", AttachTime: ec2Timestamp(inst.launchTime), DeleteOnTermination: v.DeleteOnTermination}})
		}
	} else {
		x.PrivateDNSName = ""
	}
	if inst.stateReasonCode != "" {
		x.StateReason = &xmlStateReason{Code: inst.stateReasonCode, Message: inst.stateReasonMsg}
	}
	if p := inst.iamProfile; p != nil {
		x.IamInstanceProfile = &xmlIamInstanceProfile{Arn: p.Arn, ID: "AIPA" + strings.ToUpper(stableHex(p.Arn, 17))}
	}
	return x
}

// reservationXMLLocked renders instances of one reservation.
func (w *World) reservationXMLLocked(insts []*instance) xmlReservation {
	r := xmlReservation{OwnerID: AccountID}
	for _, inst := range insts {
		r.ReservationID = inst.reservationID
		r.Instances = append(r.Instances, w.instanceXMLLocked(inst))
	}
	return r
}

// reservationsXMLLocked groups instances (in launch order) into
// reservations; a reservation split across pages appears on each page.
func (w *World) reservationsXMLLocked(insts []*instance) []xmlReservation {
	var out []xmlReservation
	for start := 0; start < len(insts); {
		end := start + 1
		for end < len(insts) && insts[end].reservationID == insts[start].reservationID {
			end++
		}
		out = append(out, w.reservationXMLLocked(insts[start:end]))
		start = end
	}
	return out
}

type describeInstancesResponse struct {
	ec2Meta
	Reservations []xmlReservation `xml:"reservationSet>item"`
	NextToken    string           `xml:"nextToken,omitempty"`
}

// pageToken encodes the launch sequence number where the next page starts.
func pageToken(seq uint64) string {
	return hex.EncodeToString([]byte("p1:" + strconv.FormatUint(seq, 10)))
}

func parsePageToken(tok string) (uint64, error) {
	raw, err := hex.DecodeString(tok)
	if err == nil {
		if rest, ok := strings.CutPrefix(string(raw), "p1:"); ok {
			if n, err := strconv.ParseUint(rest, 10, 64); err == nil {
				return n, nil
			}
		}
	}
	return 0, clientError("InvalidPaginationToken", "The specified pagination token is not valid or is expired.")
}

// instanceIDsParam reads and checks InstanceId.N, dropping duplicates.
func instanceIDsParam(q query) ([]string, error) {
	ids := q.list("InstanceId")
	seen := make(map[string]bool, len(ids))
	out := ids[:0]
	for _, id := range ids {
		if !validResourceID(id, "i") {
			return nil, clientError("InvalidInstanceID.Malformed", "Invalid id: \"%s\"", id)
		}
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out, nil
}

func notFoundInstances(missing []string) error {
	if len(missing) == 1 {
		return clientError("InvalidInstanceID.NotFound", "The instance ID '%s' does not exist", missing[0])
	}
	return clientError("InvalidInstanceID.NotFound", "The instance IDs '%s' do not exist", strings.Join(missing, ", "))
}

func describeInstances(w *World, q query) (any, error) {
	ids, err := instanceIDsParam(q)
	if err != nil {
		return nil, err
	}
	fs := q.filters()
	if err := validateFilters(fs, instanceFilters); err != nil {
		return nil, err
	}
	maxResults, err := q.intParam("MaxResults")
	if err != nil {
		return nil, err
	}
	if maxResults != nil {
		if len(ids) > 0 {
			return nil, clientError("InvalidParameterCombination", "The parameter instancesSet cannot be used with the parameter maxResults")
		}
		if *maxResults < 5 || *maxResults > 1000 {
			return nil, clientError("InvalidParameterValue", "Value ( %d ) for parameter maxResults is invalid. Expecting a value between 5 and 1000.", *maxResults)
		}
	}
	var from uint64
	if tok := q.str("NextToken"); tok != "" {
		if from, err = parsePageToken(tok); err != nil {
			return nil, err
		}
	}

	w.mu.Lock()
	defer w.mu.Unlock()
	now := w.clock.Now()
	cfg := w.cfg.Load()
	if e := w.describeDisruptionLocked(cfg, ids); e != nil {
		return nil, e
	}
	resp := &describeInstancesResponse{}
	if len(ids) > 0 {
		var missing []string
		var matched []*instance
		for _, id := range ids {
			inst, ok := w.instances[id]
			if !ok || !w.visibleLocked(inst, now, cfg) {
				missing = append(missing, id)
				continue
			}
			if matchFilters(fs, inst.tags, inst.filterValues) {
				matched = append(matched, inst)
			}
		}
		if len(missing) > 0 {
			return nil, notFoundInstances(missing)
		}
		slices.SortFunc(matched, func(a, b *instance) int { return cmp.Compare(a.seq, b.seq) })
		resp.Reservations = w.reservationsXMLLocked(matched)
		return resp, nil
	}
	limit := len(w.order)
	if maxResults != nil {
		limit = *maxResults
	}
	start, _ := slices.BinarySearchFunc(w.order, from, func(inst *instance, seq uint64) int {
		switch {
		case inst.seq < seq:
			return -1
		case inst.seq > seq:
			return 1
		}
		return 0
	})
	var page []*instance
	for _, inst := range w.order[start:] {
		if !w.visibleLocked(inst, now, cfg) || !matchFilters(fs, inst.tags, inst.filterValues) {
			continue
		}
		if len(page) == limit {
			// Only hand out a token when another match exists, so the last
			// page is never empty.
			resp.NextToken = pageToken(inst.seq)
			break
		}
		page = append(page, inst)
	}
	resp.Reservations = w.reservationsXMLLocked(page)
	return resp, nil
}

type stateChangeResponse struct {
	ec2Meta
	Instances []xmlStateChange `xml:"instancesSet>item"`
}

// lookupInstancesLocked resolves ids for Start/Stop/Terminate: every id
// must name an instance AWS still knows about.
func (w *World) lookupInstancesLocked(ids []string) ([]*instance, error) {
	if len(ids) == 0 {
		return nil, clientError("MissingParameter", "The request must contain the parameter InstanceId")
	}
	now := w.clock.Now()
	cfg := w.cfg.Load()
	insts := make([]*instance, 0, len(ids))
	var missing []string
	for _, id := range ids {
		// The consistency window applies to actions as it does to reads:
		// "if you run a command to modify or describe a resource that you
		// just created, its ID might not have propagated throughout the
		// system, and you get an error responding that the resource does
		// not exist" (EC2 Developer Guide, "Eventual consistency in the
		// Amazon EC2 API").
		inst, ok := w.instances[id]
		if !ok || !w.visibleLocked(inst, now, cfg) {
			missing = append(missing, id)
			continue
		}
		insts = append(insts, inst)
	}
	if len(missing) > 0 {
		return nil, notFoundInstances(missing)
	}
	return insts, nil
}

func stateChange(inst *instance, previous string) xmlStateChange {
	return xmlStateChange{InstanceID: inst.id, PreviousState: stateOf(previous), CurrentState: stateOf(inst.state)}
}

func startInstances(w *World, q query) (any, error) {
	ids, err := instanceIDsParam(q)
	if err != nil {
		return nil, err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	insts, err := w.lookupInstancesLocked(ids)
	if err != nil {
		return nil, err
	}
	cfg := w.cfg.Load()
	// Validate the whole batch first: EC2 fails the call without starting any.
	for _, inst := range insts {
		switch inst.state {
		case StateStopping, StateShuttingDown, StateTerminated:
			return nil, clientError("IncorrectInstanceState", "The instance '%s' is not in a state from which it can be started.", inst.id)
		case StateStopped:
			if e := w.capacityErrorLocked(cfg, inst.instanceType, inst.az); e != nil {
				return nil, e
			}
		}
	}
	if rooms := w.capacityRoomsLocked(cfg); rooms != nil {
		// Check the batch against the caps before starting any of it.
		need := map[string]int{}
		for _, inst := range insts {
			if inst.state == StateStopped {
				need[inst.az]++
				need[inst.instanceType]++
			}
		}
		for _, inst := range insts {
			for _, k := range []string{inst.az, inst.instanceType} {
				if room, ok := rooms[k]; ok && inst.state == StateStopped && need[k] > room {
					return nil, w.insufficientCapacity(cfg, inst.instanceType, inst.az)
				}
			}
		}
	}
	resp, moved := w.transitionLocked(insts, func(s string) bool { return s == StateStopped }, StatePending)
	proceeding := w.scheduleFailuresLocked(cfg, FailStart, moved, cfg.Latency.Start.D(), StateStopped)
	w.scheduleLocked(proceeding, cfg.Latency.Start.D(), StatePending, StateRunning)
	return resp, nil
}

// transitionLocked moves the instances for which moves(state) holds into
// the intermediate state now and reports every instance's previous and
// current state, as EC2's state-change responses do (instances already on
// their way are listed unchanged). It returns the instances it moved, for
// the caller to schedule their final state.
func (w *World) transitionLocked(insts []*instance, moves func(string) bool, intermediate string) (*stateChangeResponse, []*instance) {
	resp := &stateChangeResponse{}
	var moving []*instance
	for _, inst := range insts {
		prev := inst.state
		if moves(prev) {
			w.setStateLocked(inst, intermediate)
			moving = append(moving, inst)
		}
		resp.Instances = append(resp.Instances, stateChange(inst, prev))
	}
	return resp, moving
}

func stopInstances(w *World, q query) (any, error) {
	ids, err := instanceIDsParam(q)
	if err != nil {
		return nil, err
	}
	// Force and Hibernate are accepted; a simulated instance stops the same way.
	if _, err := q.boolParam("Force"); err != nil {
		return nil, err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	insts, err := w.lookupInstancesLocked(ids)
	if err != nil {
		return nil, err
	}
	for _, inst := range insts {
		switch inst.state {
		case StatePending, StateShuttingDown, StateTerminated:
			return nil, clientError("IncorrectInstanceState", "The instance '%s' is not in a state from which it can be stopped.", inst.id)
		}
	}
	cfg := w.cfg.Load()
	resp, moved := w.transitionLocked(insts, func(s string) bool { return s == StateRunning }, StateStopping)
	w.scheduleLocked(moved, cfg.Latency.Stop.D(), StateStopping, StateStopped)
	return resp, nil
}

func terminateInstances(w *World, q query) (any, error) {
	ids, err := instanceIDsParam(q)
	if err != nil {
		return nil, err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	insts, err := w.lookupInstancesLocked(ids)
	if err != nil {
		return nil, err
	}
	cfg := w.cfg.Load()
	resp, moved := w.transitionLocked(insts, func(s string) bool { return s != StateTerminated && s != StateShuttingDown }, StateShuttingDown)
	w.scheduleLocked(moved, cfg.Latency.Terminate.D(), StateShuttingDown, StateTerminated)
	return resp, nil
}

type consoleOutputResponse struct {
	ec2Meta
	InstanceID string `xml:"instanceId"`
	Timestamp  string `xml:"timestamp"`
	Output     string `xml:"output,omitempty"`
}

func getConsoleOutput(w *World, q query) (any, error) {
	id := q.str("InstanceId")
	if id == "" {
		return nil, clientError("MissingParameter", "The request must contain the parameter InstanceId")
	}
	if !validResourceID(id, "i") {
		return nil, clientError("InvalidInstanceID.Malformed", "Invalid id: \"%s\"", id)
	}
	w.mu.Lock()
	insts, err := w.lookupInstancesLocked([]string{id})
	if err != nil {
		w.mu.Unlock()
		return nil, err
	}
	console := slices.Clone(insts[0].console)
	w.mu.Unlock()
	resp := &consoleOutputResponse{InstanceID: id, Timestamp: ec2Timestamp(w.clock.Now())}
	if len(console) > 0 {
		resp.Output = base64.StdEncoding.EncodeToString(console)
	}
	return resp, nil
}
