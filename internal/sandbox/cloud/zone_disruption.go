package cloud

import (
	"fmt"
	"net/http"
	"slices"
)

// An availability zone in a service disruption (DisruptedZones) changes
// what DescribeInstances answers, as the EC2 API reference documents for
// DescribeInstances: "If you describe instances in the rare case where an
// Availability Zone is experiencing a service disruption and you specify
// instance IDs that are in the affected zone, or do not specify any instance
// IDs at all, the call fails. If you describe instances and specify only
// instance IDs that are in an unaffected zone, the call works normally."
// The reference names no error code; the sandbox answers with EC2's generic
// ServiceUnavailable (HTTP 503, "The request has failed due to a temporary
// failure of the server", EC2 API reference, "Error codes"), which the SDK
// retries like any 5xx before giving up. Launches and starts in the zone
// fail for capacity.

func (w *World) validateDisruptedZones(zones []string) error {
	for _, z := range zones {
		if _, ok := w.catalog.subnetByAZ[z]; !ok {
			return fmt.Errorf("disrupted_zones entry %q is not an availability zone of %s (%v)", z, w.region, w.catalog.azs())
		}
	}
	return nil
}

func zoneDisrupted(c *Config, az string) bool {
	return slices.Contains(c.DisruptedZones, az)
}

func serviceUnavailable() *apiError {
	return &apiError{Status: http.StatusServiceUnavailable, Code: "ServiceUnavailable", Message: "The request has failed due to a temporary failure of the server."}
}

// describeDisruptionLocked is the error DescribeInstances fails with while a
// zone is disrupted: always without ids, and with ids when one of them is
// in a disrupted zone.
func (w *World) describeDisruptionLocked(c *Config, ids []string) *apiError {
	if len(c.DisruptedZones) == 0 {
		return nil
	}
	if len(ids) == 0 {
		return serviceUnavailable()
	}
	for _, id := range ids {
		if inst, ok := w.instances[id]; ok && zoneDisrupted(c, inst.az) {
			return serviceUnavailable()
		}
	}
	return nil
}
