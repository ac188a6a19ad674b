package cloud

import (
	"slices"
	"strconv"
	"strings"
)

func init() {
	ec2Actions["DescribeInstanceTypes"] = describeInstanceTypes
	ec2Actions["DescribeAvailabilityZones"] = describeAvailabilityZones
}

type xmlGPUDevice struct {
	Name         string `xml:"name"`
	Manufacturer string `xml:"manufacturer"`
	Count        int    `xml:"count"`
	MemoryMiB    int    `xml:"memoryInfo>sizeInMiB"`
}

type xmlInstanceType struct {
	InstanceType                  string      `xml:"instanceType"`
	CurrentGeneration             bool        `xml:"currentGeneration"`
	BurstablePerformanceSupported bool        `xml:"burstablePerformanceSupported"`
	Hypervisor                    string      `xml:"hypervisor"`
	SupportedUsageClasses         []string    `xml:"supportedUsageClasses>item"`
	SupportedRootDeviceTypes      []string    `xml:"supportedRootDeviceTypes>item"`
	SupportedVirtualizationTypes  []string    `xml:"supportedVirtualizationTypes>item"`
	Architectures                 []string    `xml:"processorInfo>supportedArchitectures>item"`
	DefaultVCPUs                  int         `xml:"vCpuInfo>defaultVCpus"`
	MemoryMiB                     int64       `xml:"memoryInfo>sizeInMiB"`
	GPUInfo                       *xmlGPUInfo `xml:"gpuInfo,omitempty"`
}

type xmlGPUInfo struct {
	GPUs           []xmlGPUDevice `xml:"gpus>item"`
	TotalMemoryMiB int            `xml:"totalGpuMemoryInMiB"`
}

type describeInstanceTypesResponse struct {
	ec2Meta
	InstanceTypes []xmlInstanceType `xml:"instanceTypeSet>item"`
	NextToken     string            `xml:"nextToken,omitempty"`
}

var instanceTypeFilters = map[string]bool{
	"instance-type": true, "processor-info.supported-architecture": true, "vcpu-info.default-vcpus": true,
	"memory-info.size-in-mib": true, "current-generation": true, "burstable-performance-supported": true,
}

func describeInstanceTypes(w *World, q query) (any, error) {
	fs := q.filters()
	if err := validateFilters(fs, instanceTypeFilters); err != nil {
		return nil, err
	}
	limit, from, err := pageLimit(q, 5, 100, 100)
	if err != nil {
		return nil, err
	}
	names := q.list("InstanceType")
	for _, n := range names {
		if _, ok := instanceTypes[n]; !ok {
			return nil, clientError("InvalidInstanceType", "The following supplied instance types do not exist: [%s]", n)
		}
	}
	var out []xmlInstanceType
	for _, it := range w.InstanceTypes() {
		if len(names) > 0 && !slices.Contains(names, it.Name) {
			continue
		}
		burstable := strings.HasPrefix(it.Name, "t3.")
		attr := func(name string) []string {
			switch name {
			case "instance-type":
				return []string{it.Name}
			case "processor-info.supported-architecture":
				return []string{it.Architecture}
			case "vcpu-info.default-vcpus":
				return []string{strconv.Itoa(it.VCPU)}
			case "memory-info.size-in-mib":
				return []string{strconv.FormatInt(it.MemoryMiB, 10)}
			case "burstable-performance-supported":
				return []string{strconv.FormatBool(burstable)}
			}
			return []string{"true"}
		}
		if !matchFilters(fs, nil, attr) {
			continue
		}
		x := xmlInstanceType{
			InstanceType: it.Name, CurrentGeneration: true, BurstablePerformanceSupported: burstable, Hypervisor: "nitro",
			SupportedUsageClasses: []string{"on-demand", "spot"}, SupportedRootDeviceTypes: []string{"ebs"},
			SupportedVirtualizationTypes: []string{"hvm"}, Architectures: []string{it.Architecture},
			DefaultVCPUs: it.VCPU, MemoryMiB: it.MemoryMiB,
		}
		if it.GPUs > 0 {
			// g5 carries NVIDIA A10G GPUs with 24 GiB each.
			x.GPUInfo = &xmlGPUInfo{GPUs: []xmlGPUDevice{{Name: "A10G", Manufacturer: "NVIDIA", Count: it.GPUs, MemoryMiB: 24576}}, TotalMemoryMiB: 24576 * it.GPUs}
		}
		out = append(out, x)
	}
	resp := &describeInstanceTypesResponse{}
	resp.InstanceTypes, resp.NextToken = pageIndex(out, limit, from)
	return resp, nil
}

type xmlAvailabilityZone struct {
	ZoneName           string `xml:"zoneName"`
	ZoneID             string `xml:"zoneId"`
	ZoneState          string `xml:"zoneState"`
	RegionName         string `xml:"regionName"`
	ZoneType           string `xml:"zoneType"`
	OptInStatus        string `xml:"optInStatus"`
	GroupName          string `xml:"groupName"`
	NetworkBorderGroup string `xml:"networkBorderGroup"`
}

type describeAvailabilityZonesResponse struct {
	ec2Meta
	Zones []xmlAvailabilityZone `xml:"availabilityZoneInfo>item"`
}

var zoneFilters = map[string]bool{"zone-name": true, "zone-id": true, "state": true, "region-name": true, "zone-type": true, "opt-in-status": true}

func describeAvailabilityZones(w *World, q query) (any, error) {
	fs := q.filters()
	if err := validateFilters(fs, zoneFilters); err != nil {
		return nil, err
	}
	names, zoneIDs := q.list("ZoneName"), q.list("ZoneId")
	resp := &describeAvailabilityZonesResponse{}
	for _, n := range names {
		if _, ok := w.catalog.subnetByAZ[n]; !ok {
			return nil, clientError("InvalidParameterValue", "The zone '%s' does not exist.", n)
		}
	}
	for _, s := range w.catalog.subnets {
		if (len(names) > 0 && !slices.Contains(names, s.AZ)) || (len(zoneIDs) > 0 && !slices.Contains(zoneIDs, s.AZID)) {
			continue
		}
		attr := func(name string) []string {
			switch name {
			case "zone-name":
				return []string{s.AZ}
			case "zone-id":
				return []string{s.AZID}
			case "state":
				return []string{"available"}
			case "region-name":
				return []string{w.region}
			case "zone-type":
				return []string{"availability-zone"}
			}
			return []string{"opt-in-not-required"}
		}
		if !matchFilters(fs, nil, attr) {
			continue
		}
		resp.Zones = append(resp.Zones, xmlAvailabilityZone{
			ZoneName: s.AZ, ZoneID: s.AZID, ZoneState: "available", RegionName: w.region, ZoneType: "availability-zone",
			OptInStatus: "opt-in-not-required", GroupName: w.region + "-zg-1", NetworkBorderGroup: w.region,
		})
	}
	return resp, nil
}
