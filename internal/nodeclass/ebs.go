package nodeclass

import "fmt"

// EBS volume rules. EC2 does not check them when a launch template is
// created, only when RunInstances creates the volumes, so without these
// checks a bad volume passes plan and apply of the node class and fails
// every launch of its pools. Ranges are those of the EC2 API reference
// (LaunchTemplateEbsBlockDeviceRequest: VolumeSize, Iops, Throughput),
// ratios those of the EBS User Guide ("Amazon EBS volume types": gp3 at
// most 500 IOPS per GiB and 0.25 MiB/s per IOPS above its baseline; io1 50
// and io2 1,000 IOPS per GiB).
type volumeLimits struct {
	minSize, maxSize   int32 // GiB
	minIOPS, maxIOPS   int32 // 0: the type takes no IOPS
	iopsRequired       bool
	iopsPerGiB         int32 // 0: no ratio rule
	baselineIOPS       int32 // what a volume of the type has whatever its size
	minThroughput      int32 // 0: the type takes no throughput
	maxThroughput      int32
	baselineThroughput int32
	throughputPerIOPS  float64
}

var volumeTypeLimits = map[string]volumeLimits{
	"gp3": {minSize: 1, maxSize: 65536, minIOPS: 3000, maxIOPS: 80000, iopsPerGiB: 500, baselineIOPS: 3000,
		minThroughput: 125, maxThroughput: 2000, baselineThroughput: 125, throughputPerIOPS: 0.25},
	"gp2":      {minSize: 1, maxSize: 16384},
	"io1":      {minSize: 4, maxSize: 16384, minIOPS: 100, maxIOPS: 64000, iopsRequired: true, iopsPerGiB: 50},
	"io2":      {minSize: 4, maxSize: 65536, minIOPS: 100, maxIOPS: 256000, iopsRequired: true, iopsPerGiB: 1000},
	"st1":      {minSize: 125, maxSize: 16384},
	"sc1":      {minSize: 125, maxSize: 16384},
	"standard": {minSize: 1, maxSize: 1024},
}

// VolumeProblem is a block device setting EC2 would refuse at launch;
// Field names the attribute at fault: volume_type, volume_size, iops or
// throughput.
type VolumeProblem struct {
	Field, Message string
}

// VolumeProblems checks a block device against its type's rules. A device
// without a type gets gp2, EC2's default. A device without a size takes its
// snapshot's, unknown here, so size rules then wait for the launch.
func (b BlockDevice) VolumeProblems() []VolumeProblem {
	vt := b.VolumeType
	if vt == "" {
		vt = "gp2"
	}
	l, ok := volumeTypeLimits[vt]
	if !ok {
		return []VolumeProblem{{"volume_type", fmt.Sprintf("%q is not an EBS volume type (gp3, gp2, io1, io2, st1, sc1, standard).", vt)}}
	}
	var out []VolumeProblem
	add := func(field, format string, args ...any) {
		out = append(out, VolumeProblem{field, fmt.Sprintf(format, args...)})
	}
	if s := b.VolumeSize; s != nil && (*s < l.minSize || *s > l.maxSize) {
		add("volume_size", "A %s volume is %d to %d GiB; %d is outside.", vt, l.minSize, l.maxSize, *s)
	}
	iops := l.baselineIOPS
	switch {
	case b.IOPS != nil && l.maxIOPS == 0:
		add("iops", "%s volumes take no provisioned IOPS; only gp3, io1 and io2 do.", vt)
	case b.IOPS != nil:
		iops = *b.IOPS
		if iops < l.minIOPS || iops > l.maxIOPS {
			add("iops", "A %s volume takes %d to %d IOPS; %d is outside.", vt, l.minIOPS, l.maxIOPS, iops)
		} else if s := b.VolumeSize; s != nil && l.iopsPerGiB > 0 && iops > l.baselineIOPS && iops > l.iopsPerGiB**s {
			add("iops", "A %s volume takes at most %d IOPS per GiB: %d IOPS need at least %d GiB, not %d.", vt, l.iopsPerGiB, iops, (iops+l.iopsPerGiB-1)/l.iopsPerGiB, *s)
		}
	case l.iopsRequired:
		add("iops", "%s volumes need iops (%d to %d).", vt, l.minIOPS, l.maxIOPS)
	}
	if t := b.Throughput; t != nil {
		switch {
		case l.maxThroughput == 0:
			add("throughput", "%s volumes take no throughput; only gp3 does.", vt)
		case *t < l.minThroughput || *t > l.maxThroughput:
			add("throughput", "A %s volume takes %d to %d MiB/s; %d is outside.", vt, l.minThroughput, l.maxThroughput, *t)
		case *t > l.baselineThroughput && float64(*t) > l.throughputPerIOPS*float64(iops):
			add("throughput", "A %s volume takes at most %.2f MiB/s per IOPS: %d MiB/s need at least %d IOPS, not %d.", vt, l.throughputPerIOPS, *t, int32(float64(*t)/l.throughputPerIOPS+0.999), iops)
		}
	}
	return out
}
