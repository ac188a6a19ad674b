package nodes

import (
	"strings"

	"github.com/stratos-sh/terraform-provider-stratos/internal/sandbox/cloud"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

// ephemeralStorageCapacity is Bottlerocket's default 20 GiB data volume as
// the kubelet reports it (after the filesystem's own overhead).
var ephemeralStorageCapacity = resource.MustParse("20959212Ki")

// fallbackType is used when the world does not know an instance type, so a
// node still registers with plausible capacity.
var fallbackType = cloud.InstanceTypeInfo{VCPU: 2, MemoryMiB: 8192, MaxPods: 29}

// nodeResources computes capacity and allocatable the way the kubelet does:
// allocatable = capacity − kube-reserved − system-reserved − hard eviction
// threshold, with Bottlerocket's EKS defaults for kube-reserved.
func nodeResources(it cloud.InstanceTypeInfo, s *bootSettings) (capacity, allocatable corev1.ResourceList) {
	maxPods := int64(it.MaxPods)
	if s != nil && s.MaxPods > 0 {
		maxPods = s.MaxPods
	}
	if maxPods == 0 {
		maxPods = 110
	}
	cpu := resource.NewMilliQuantity(int64(it.VCPU)*1000, resource.DecimalSI)
	memory := resource.NewQuantity(it.MemoryMiB*1024*1024, resource.BinarySI)
	capacity = corev1.ResourceList{
		corev1.ResourceCPU:              *cpu,
		corev1.ResourceMemory:           *memory,
		corev1.ResourcePods:             *resource.NewQuantity(maxPods, resource.DecimalSI),
		corev1.ResourceEphemeralStorage: ephemeralStorageCapacity.DeepCopy(),
		"hugepages-1Gi":                 resource.MustParse("0"),
		"hugepages-2Mi":                 resource.MustParse("0"),
	}
	if it.GPUs > 0 {
		capacity["nvidia.com/gpu"] = *resource.NewQuantity(int64(it.GPUs), resource.DecimalSI)
	}

	kubeReserved := corev1.ResourceList{
		corev1.ResourceCPU:              *resource.NewMilliQuantity(defaultReservedMilliCPU(it.VCPU), resource.DecimalSI),
		corev1.ResourceMemory:           *resource.NewQuantity((11*maxPods+255)*1024*1024, resource.BinarySI),
		corev1.ResourceEphemeralStorage: resource.MustParse("1Gi"),
	}
	var systemReserved corev1.ResourceList
	evictionMemory := resource.MustParse("100Mi")
	evictionStorage := percentOf(ephemeralStorageCapacity, 10)
	if s != nil {
		overrideQuantities(kubeReserved, s.KubeReserved)
		systemReserved = corev1.ResourceList{}
		overrideQuantities(systemReserved, s.SystemReserved)
		if v, ok := s.EvictionHard["memory.available"]; ok {
			evictionMemory = thresholdQuantity(v, *memory, evictionMemory)
		}
		if v, ok := s.EvictionHard["nodefs.available"]; ok {
			evictionStorage = thresholdQuantity(v, ephemeralStorageCapacity, evictionStorage)
		}
	}

	allocatable = capacity.DeepCopy()
	for _, reserved := range []corev1.ResourceList{kubeReserved, systemReserved} {
		for name, q := range reserved {
			if a, ok := allocatable[name]; ok {
				a.Sub(q)
				allocatable[name] = a
			}
		}
	}
	subtract(allocatable, corev1.ResourceMemory, evictionMemory)
	subtract(allocatable, corev1.ResourceEphemeralStorage, evictionStorage)
	for name, q := range allocatable {
		if q.Sign() < 0 {
			allocatable[name] = resource.MustParse("0")
		}
	}
	return capacity, allocatable
}

// defaultReservedMilliCPU is the EKS AMI formula: 6% of the first core, 1%
// of the second, 0.5% of the next two, 0.25% of the rest.
func defaultReservedMilliCPU(vcpu int) int64 {
	var milli float64
	for i := 1; i <= vcpu; i++ {
		switch {
		case i == 1:
			milli += 60
		case i == 2:
			milli += 10
		case i <= 4:
			milli += 5
		default:
			milli += 2.5
		}
	}
	return int64(milli)
}

func overrideQuantities(list corev1.ResourceList, values map[string]string) {
	for k, v := range values {
		if q, err := resource.ParseQuantity(v); err == nil {
			list[corev1.ResourceName(k)] = q
		}
	}
}

func thresholdQuantity(v string, total resource.Quantity, fallback resource.Quantity) resource.Quantity {
	if pct, ok := strings.CutSuffix(v, "%"); ok {
		q, err := resource.ParseQuantity(pct)
		if err != nil {
			return fallback
		}
		return percentOf(total, q.AsApproximateFloat64())
	}
	q, err := resource.ParseQuantity(v)
	if err != nil {
		return fallback
	}
	return q
}

func percentOf(total resource.Quantity, pct float64) resource.Quantity {
	return *resource.NewQuantity(int64(float64(total.Value())*pct/100), resource.BinarySI)
}

func subtract(list corev1.ResourceList, name corev1.ResourceName, q resource.Quantity) {
	if a, ok := list[name]; ok {
		a.Sub(q)
		list[name] = a
	}
}
