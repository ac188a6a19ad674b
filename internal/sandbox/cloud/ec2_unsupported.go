package cloud

import (
	"slices"
	"strings"
)

// Not every instance type is offered in every Availability Zone
// (DescribeInstanceTypeOfferings). RunInstances for a type in a zone that
// does not offer it fails with Unsupported, a client error that names the
// zones that do (EC2 API reference, "Error codes for the Amazon EC2 API":
// Unsupported; EC2 User Guide, troubleshooting instance launch). Unlike
// InsufficientInstanceCapacity it does not go away with time: the caller
// must choose another zone or type.

func offered(cfg *Config, itype, az string) bool {
	return !slices.Contains(cfg.UnofferedInstanceTypes, ZoneInstanceType{Zone: az, InstanceType: itype})
}

func (w *World) unsupportedError(cfg *Config, itype, az string) *apiError {
	if offered(cfg, itype, az) {
		return nil
	}
	var others []string
	for _, s := range w.catalog.subnets {
		if s.AZ != az && offered(cfg, itype, s.AZ) {
			others = append(others, s.AZ)
		}
	}
	msg := "Your requested instance type (" + itype + ") is not supported in your requested Availability Zone (" + az + ")."
	if len(others) > 0 {
		msg += " Please retry your request by not specifying an Availability Zone or choosing " + strings.Join(others, ", ") + "."
	}
	return clientError("Unsupported", "%s", msg)
}
