package warmpool

// What EC2's instance errors mean to the engine, in one place (as
// terraform-provider-aws's internal/service/ec2/errors.go and Karpenter's
// pkg/errors keep them). Codes are from the EC2 API reference, "Error codes
// for the Amazon EC2 API".

import (
	"errors"
	"strings"

	"github.com/aws/smithy-go"
)

// capacityCodes are the errors after which another subnet or instance type
// may still have capacity.
var capacityCodes = map[string]bool{
	"InsufficientInstanceCapacity":      true,
	"InsufficientFreeAddressesInSubnet": true,
	"Unsupported":                       true,
	"InsufficientCapacity":              true,
}

// capacityError reports whether err is one of capacityCodes, and the API
// error that says so.
func capacityError(err error) (smithy.APIError, bool) {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) && capacityCodes[apiErr.ErrorCode()] {
		return apiErr, true
	}
	return nil, false
}

func isCapacityError(err error) bool {
	_, ok := capacityError(err)
	return ok
}

// placementReasons say what each placement error of RunInstances means.
// All of them concern one zone (subnet) and instance type, so the launch
// moves on to the other zones and types; they differ in what a reader
// should do about them. Unsupported is not a capacity shortage: the type
// is not offered in that zone at all (EC2 API reference, "Error codes":
// Unsupported; DescribeInstanceTypeOfferings lists what a zone offers), so
// it will not go away by waiting, while InsufficientInstanceCapacity may.
var placementReasons = map[string]string{
	"InsufficientInstanceCapacity":      "insufficient capacity",
	"InsufficientCapacity":              "insufficient capacity",
	"InsufficientFreeAddressesInSubnet": "no free addresses in the subnet",
	"Unsupported":                       "instance type not offered in this zone",
}

// isInstanceProfilePropagation reports EC2's answer for an instance profile
// IAM has created but EC2 does not know yet: InvalidParameterValue "Invalid
// IAM Instance Profile name" (or "… ARN"). IAM is eventually consistent
// with EC2 (EC2 User Guide, IAM roles for Amazon EC2), so a profile created
// in the same apply as the pool fails its first launches for some seconds.
func isInstanceProfilePropagation(err error) bool {
	var apiErr smithy.APIError
	return errors.As(err, &apiErr) && apiErr.ErrorCode() == "InvalidParameterValue" &&
		strings.Contains(apiErr.ErrorMessage(), "Invalid IAM Instance Profile")
}

func isAPIError(err error) bool {
	var apiErr smithy.APIError
	return errors.As(err, &apiErr)
}

// instanceNotFoundCode answers a call naming an instance id EC2 does not
// know (or, right after a launch, does not know yet).
const instanceNotFoundCode = "InvalidInstanceID.NotFound"

func instanceNotFound(err error) (smithy.APIError, bool) {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) && apiErr.ErrorCode() == instanceNotFoundCode {
		return apiErr, true
	}
	return nil, false
}

// isIdempotencyMismatch: EC2 remembers the request's client token with
// other parameters (RunInstances, "Ensuring idempotency").
func isIdempotencyMismatch(err error) bool {
	var apiErr smithy.APIError
	return errors.As(err, &apiErr) && apiErr.ErrorCode() == "IdempotentParameterMismatch"
}

// isThrottle: EC2 throttled the call (RequestLimitExceeded, EC2 Developer
// Guide, "Request throttling for the Amazon EC2 API") and the SDK's retries
// did not get it through.
func isThrottle(err error) bool {
	var apiErr smithy.APIError
	return errors.As(err, &apiErr) && apiErr.ErrorCode() == "RequestLimitExceeded"
}

// isZoneDisruption: DescribeInstances failed the way it does while an
// Availability Zone is disrupted. The EC2 API reference (DescribeInstances)
// says such a call fails but names no error code, so the generic
// server-side unavailability codes count ("Error codes for the Amazon EC2
// API": ServiceUnavailable, Unavailable, InternalError), after the SDK's
// own retries.
func isZoneDisruption(err error) bool {
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		return false
	}
	switch apiErr.ErrorCode() {
	case "ServiceUnavailable", "Unavailable", "InternalError", "InternalFailure":
		return true
	}
	return false
}
