package cloud

import (
	"fmt"
	"strings"
	"sync"
	"time"
)

// Instance profiles are eventually consistent between IAM and EC2: right
// after CreateInstanceProfile, RunInstances naming the profile answers
// "InvalidParameterValue: Invalid IAM Instance Profile name" (or "… ARN")
// for some seconds (EC2 User Guide, IAM roles for Amazon EC2: "it can take
// a few seconds for the instance profile to propagate").
// terraform-provider-aws retries exactly that error around RunInstances
// (internal/service/ec2/ec2_instance.go, iamPropagationTimeout).
//
// The sandbox has no IAM. A profile it was never told about is taken to
// have existed for long (so any name works, as before this rule); a profile
// registered with CreateInstanceProfile exists for EC2 only once
// Config.InstanceProfilePropagation has passed since its registration.

type instanceProfile struct {
	name      string
	role      string
	createdAt time.Time
}

type instanceProfiles struct {
	mu     sync.Mutex
	byName map[string]instanceProfile
}

// CreateInstanceProfile registers an instance profile holding role, as
// iam:CreateInstanceProfile and iam:AddRoleToInstanceProfile would; EC2
// sees it after the configured propagation delay. role "" means a role of
// the profile's name.
func (w *World) CreateInstanceProfile(name, role string) error {
	if name == "" || strings.ContainsAny(name, "/:") {
		return fmt.Errorf("instance profile name %q is not valid", name)
	}
	if role == "" {
		role = name
	}
	w.profiles.mu.Lock()
	defer w.profiles.mu.Unlock()
	if w.profiles.byName == nil {
		w.profiles.byName = map[string]instanceProfile{}
	}
	w.profiles.byName[name] = instanceProfile{name: name, role: role, createdAt: w.clock.Now()}
	return nil
}

func instanceProfileARN(name string) string {
	return "arn:aws:iam::" + AccountID + ":instance-profile/" + name
}

func roleARN(name string) string { return "arn:aws:iam::" + AccountID + ":role/" + name }

// resolveInstanceProfile returns the role ARN of the profile a launch names
// by name or ARN, or EC2's error while the profile has not propagated.
func (w *World) resolveInstanceProfile(cfg *Config, spec iamProfileSpec) (role string, err error) {
	name, param, value := spec.Name, "name", spec.Name
	if spec.Arn != "" {
		param, value = "arn", spec.Arn
		_, name, _ = strings.Cut(spec.Arn, ":instance-profile/")
		// A profile path (instance-profile/path/name) ends in the name.
		name = name[strings.LastIndex(name, "/")+1:]
	}
	w.profiles.mu.Lock()
	p, registered := w.profiles.byName[name]
	w.profiles.mu.Unlock()
	if !registered {
		return roleARN(name), nil
	}
	if w.clock.Now().Before(p.createdAt.Add(cfg.InstanceProfilePropagation.D())) {
		return "", clientError("InvalidParameterValue", "Value (%s) for parameter iamInstanceProfile.%s is invalid. Invalid IAM Instance Profile %s", value, param, map[string]string{"name": "name", "arn": "ARN"}[param])
	}
	return roleARN(p.role), nil
}
