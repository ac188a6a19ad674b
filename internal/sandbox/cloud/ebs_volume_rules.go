package cloud

import "fmt"

// EBS volume rules, checked by RunInstances for every volume it creates and
// not by CreateLaunchTemplate, which stores block device mappings as given:
// a bad volume surfaces only when a launch uses the template. Ranges are
// those of the EC2 API reference (EbsBlockDevice, LaunchTemplateEbsBlock-
// DeviceRequest: VolumeSize, Iops, Throughput) and the ratios those of the
// EBS User Guide ("Amazon EBS volume types": gp3 500 IOPS per GiB and
// 0.25 MiB/s per IOPS; io1 50 and io2 1,000 IOPS per GiB).

type ebsVolumeLimits struct {
	minSize, maxSize       int // GiB
	minIops, maxIops       int // 0: IOPS may not be given
	iopsRequired           bool
	iopsPerGiB             int // 0: no ratio rule
	baselineIops           int // IOPS every volume of the type has, whatever its size (gp3)
	minThroughput          int // 0: throughput may not be given
	maxThroughput          int
	throughputPerIopsLimit float64
}

var ebsLimits = map[string]ebsVolumeLimits{
	"gp3": {minSize: 1, maxSize: 65536, minIops: 3000, maxIops: 80000, iopsPerGiB: 500, baselineIops: 3000,
		minThroughput: 125, maxThroughput: 2000, throughputPerIopsLimit: 0.25},
	"gp2":      {minSize: 1, maxSize: 16384},
	"io1":      {minSize: 4, maxSize: 16384, minIops: 100, maxIops: 64000, iopsRequired: true, iopsPerGiB: 50},
	"io2":      {minSize: 4, maxSize: 65536, minIops: 100, maxIops: 256000, iopsRequired: true, iopsPerGiB: 1000},
	"st1":      {minSize: 125, maxSize: 16384},
	"sc1":      {minSize: 125, maxSize: 16384},
	"standard": {minSize: 1, maxSize: 1024},
}

// bottlerocketSnapshotGiB are the sizes of the volumes a Bottlerocket AMI
// maps (root and data); a mapping without a size gets its snapshot's.
var bottlerocketSnapshotGiB = map[string]int{"/dev/xvda": 2, "/dev/xvdb": 20}

// checkEBSVolume applies the rules to one block device mapping of a launch.
// A mapping without a type gets gp2, EC2's default and the type of the
// Bottlerocket AMI's own mappings.
func checkEBSVolume(device string, e ebsSpec) error {
	vt := e.VolumeType
	if vt == "" {
		vt = "gp2"
	}
	l, ok := ebsLimits[vt]
	if !ok {
		return clientError("InvalidParameterValue", "Value (%s) for parameter volumeType is invalid.", vt)
	}
	size, sized := bottlerocketSnapshotGiB[device]
	if e.VolumeSize != nil {
		size, sized = *e.VolumeSize, true
	}
	if e.VolumeSize == nil && e.SnapshotID == "" && !sized {
		return clientError("InvalidBlockDeviceMapping", "The request must contain either a volume size or a snapshot id for device %s.", device)
	}
	if sized && (size < l.minSize || size > l.maxSize) {
		return clientError("InvalidParameterValue", "Volume of %d GiB is not a valid size for a %s volume (%s): the size must be within %d–%d GiB.", size, vt, device, l.minSize, l.maxSize)
	}
	iops := l.baselineIops
	if e.Iops != nil {
		if l.maxIops == 0 {
			return clientError("InvalidParameterCombination", "The parameter iops is not supported for %s volumes (%s).", vt, device)
		}
		iops = *e.Iops
		if iops < l.minIops || iops > l.maxIops {
			return clientError("InvalidParameterValue", "Volume iops of %d is not valid for a %s volume (%s): it must be within %d–%d.", iops, vt, device, l.minIops, l.maxIops)
		}
		if sized && l.iopsPerGiB > 0 && iops > l.baselineIops && iops > l.iopsPerGiB*size {
			return clientError("InvalidParameterValue", "Iops to volume size ratio of %s is too high; maximum is %d IOPS per GiB (%s, %d GiB).", ratio(float64(iops)/float64(size)), l.iopsPerGiB, device, size)
		}
	} else if l.iopsRequired {
		return clientError("InvalidParameterCombination", "The parameter iops must be specified for %s volumes (%s).", vt, device)
	}
	if e.Throughput != nil {
		if l.maxThroughput == 0 {
			return clientError("InvalidParameterCombination", "The parameter throughput is not supported for %s volumes (%s).", vt, device)
		}
		t := *e.Throughput
		if t < l.minThroughput || t > l.maxThroughput {
			return clientError("InvalidParameterValue", "Volume throughput of %d MiB/s is not valid for a %s volume (%s): it must be within %d–%d MiB/s.", t, vt, device, l.minThroughput, l.maxThroughput)
		}
		if t > l.minThroughput && float64(t) > l.throughputPerIopsLimit*float64(iops) {
			return clientError("InvalidParameterValue", "Throughput (MiBps) to iops ratio of %s is too high; maximum is %s MiBps per iops (%s).", ratio(float64(t)/float64(iops)), ratio(l.throughputPerIopsLimit), device)
		}
	}
	return nil
}

func ratio(f float64) string { return fmt.Sprintf("%.6f", f) }
