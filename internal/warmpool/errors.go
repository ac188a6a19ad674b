package warmpool

// What EC2's instance errors mean to the engine, in one place (as
// terraform-provider-aws's internal/service/ec2/errors.go and Karpenter's
// pkg/errors keep them). Codes are from the EC2 API reference, "Error codes
// for the Amazon EC2 API".

import (
	"errors"

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
