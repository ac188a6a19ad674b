package nodeclass

// What EC2's launch template errors mean to a node class, in one place (as
// terraform-provider-aws's internal/service/ec2/errors.go keeps them).

import (
	"errors"
	"fmt"

	"github.com/aws/smithy-go"

	"github.com/stratos-sh/terraform-provider-stratos/internal/poll"
)

// NotFoundError says a node class (its launch template) or one of its
// versions does not exist.
type NotFoundError struct {
	NodeClass string
	// Version is the missing version; 0 when the whole node class is missing.
	Version int64
	Err     error
}

func (e *NotFoundError) Error() string {
	if e.Version > 0 {
		return fmt.Sprintf("node class %s has no version %d (launch template %s)", e.NodeClass, e.Version, LaunchTemplateName(e.NodeClass))
	}
	return fmt.Sprintf("node class %s not found: no launch template %s", e.NodeClass, LaunchTemplateName(e.NodeClass))
}

func (e *NotFoundError) Unwrap() error { return e.Err }

// Is makes a missing node class or version a "not found" the poll loop
// retries while EC2 may still be catching up.
func (e *NotFoundError) Is(target error) bool { return target == poll.ErrNotFound }

// IsNotFound reports whether err says a node class or version does not exist.
func IsNotFound(err error) bool {
	var nf *NotFoundError
	return errors.As(err, &nf)
}

// apiErrorCode is the EC2 error code in err, or "".
func apiErrorCode(err error) string {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode()
	}
	return ""
}

// EC2 error codes of the launch template calls (EC2 API reference, "Error
// codes for the Amazon EC2 API"). A launch template is found by name, so both
// its not-found forms mean the node class does not exist.
var templateNotFoundCodes = map[string]bool{
	"InvalidLaunchTemplateName.NotFoundException": true,
	"InvalidLaunchTemplateId.NotFound":            true,
}

const (
	versionNotFoundCode = "InvalidLaunchTemplateId.VersionNotFound"
	// alreadyExistsCode answers CreateLaunchTemplate for a name in use.
	alreadyExistsCode = "InvalidLaunchTemplateName.AlreadyExistsException"
)
