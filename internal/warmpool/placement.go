package warmpool

import (
	"fmt"
	"strings"
)

// PlacementAttempt is one zone and instance type a launch could not (fully)
// use, and why.
type PlacementAttempt struct {
	Zone, InstanceType string
	// Code is EC2's error code; "" when EC2 launched only Partial of a
	// request instead of failing it (RunInstances' MinCount 1).
	Code    string
	Partial int
}

func (a PlacementAttempt) String() string {
	where := a.Zone + "/" + a.InstanceType
	if a.Code == "" {
		return fmt.Sprintf("%s: insufficient capacity (launched only %d)", where, a.Partial)
	}
	reason, ok := placementReasons[a.Code]
	if !ok {
		reason = "cannot launch there"
	}
	return fmt.Sprintf("%s: %s (%s)", where, reason, a.Code)
}

// PlacementError says that no zone and instance type tried could take the
// rest of a launch, naming each with its reason.
type PlacementError struct {
	Wanted, Launched int
	Tried            []PlacementAttempt
}

func (e *PlacementError) Error() string {
	tried := make([]string, len(e.Tried))
	for i, a := range e.Tried {
		tried[i] = a.String()
	}
	return fmt.Sprintf("launched %d of %d instances: no availability zone and instance type tried could take the rest: %s",
		e.Launched, e.Wanted, strings.Join(tried, "; "))
}
