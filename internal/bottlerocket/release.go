package bottlerocket

import (
	"fmt"
	"regexp"
	"strconv"
)

// ModelRelease is the newest Bottlerocket release whose settings the model
// follows: the settings documentation of bottlerocket-os/bottlerocket-project-website
// (snapshot in testdata/bottlerocket-docs, last settings change 1.64.x; the
// website's newest release, 1.66.x, documents no later change;
// TestModelReleaseIsDocumented keeps the two together).
const ModelRelease = "1.64.0"

// Release is a Bottlerocket release such as 1.49.2.
type Release struct{ Major, Minor, Patch int }

var releaseRE = regexp.MustCompile(`^v?([0-9]+)\.([0-9]+)\.([0-9]+)$`)

// ParseRelease reads "1.49.2" or "v1.49.2".
func ParseRelease(s string) (Release, error) {
	m := releaseRE.FindStringSubmatch(s)
	if m == nil {
		return Release{}, fmt.Errorf("%q is not a Bottlerocket release such as 1.49.2", s)
	}
	var r Release
	r.Major, _ = strconv.Atoi(m[1])
	r.Minor, _ = strconv.Atoi(m[2])
	r.Patch, _ = strconv.Atoi(m[3])
	return r, nil
}

func mustRelease(s string) Release {
	r, err := ParseRelease(s)
	if err != nil {
		panic(err)
	}
	return r
}

func (r Release) String() string { return fmt.Sprintf("%d.%d.%d", r.Major, r.Minor, r.Patch) }

// IsZero reports an unknown release.
func (r Release) IsZero() bool { return r == Release{} }

// Before orders releases.
func (r Release) Before(o Release) bool {
	if r.Major != o.Major {
		return r.Major < o.Major
	}
	if r.Minor != o.Minor {
		return r.Minor < o.Minor
	}
	return r.Patch < o.Patch
}

// lacks reports whether a node on release r lacks what since introduced;
// an unknown release (no AMI known) has everything the model has.
func (r Release) lacks(since string) bool {
	return since != "" && !r.IsZero() && r.Before(mustRelease(since))
}

// imageNameRE matches the names of Bottlerocket's public AMIs,
// "bottlerocket-aws-k8s-1.32-x86_64-v1.30.0-0a2d6d6b" (variant, architecture,
// v<release>-<commit>), which the SSM parameters
// /aws/service/bottlerocket/<variant>/<arch>/<release>/image_id point at.
var imageNameRE = regexp.MustCompile(`^bottlerocket-.+-v([0-9]+\.[0-9]+\.[0-9]+)-[0-9a-f]+$`)

// ReleaseFromImageName reads the Bottlerocket release from a public
// Bottlerocket AMI's name; ok is false for any other name (a copied or
// custom AMI), and the newest model then applies.
func ReleaseFromImageName(name string) (string, bool) {
	m := imageNameRE.FindStringSubmatch(name)
	if m == nil {
		return "", false
	}
	return m[1], true
}

// imageVariantRE splits an aws-k8s AMI name into its variant and
// architecture: Bottlerocket's build names an image
// bottlerocket-<variant>-<arch>-v<version>-<commit> (BUILDSYS_NAME_FULL in
// its build system), the architecture being x86_64 or aarch64 (arm64 in
// the SSM parameter paths, which some copies follow).
var imageVariantRE = regexp.MustCompile(`^bottlerocket-(aws-k8s-1\.[0-9]{1,3}(?:-(?:nvidia|fips))*)-(?:x86_64|aarch64|arm64)-v[0-9]+\.[0-9]+\.[0-9]+-[0-9a-f]+$`)

// VariantFromImageName reads the aws-k8s variant from a public Bottlerocket
// AMI's name ("aws-k8s-1.32-nvidia" from
// "bottlerocket-aws-k8s-1.32-nvidia-x86_64-v1.64.0-abcdef12"); ok is false
// for any other name, and the variant then stays unknown.
func VariantFromImageName(name string) (string, bool) {
	m := imageVariantRE.FindStringSubmatch(name)
	if m == nil {
		return "", false
	}
	return m[1], true
}

// imageVersionRE matches the value of the image_version SSM parameter,
// "1.30.0-0a2d6d6b": the release and the build's commit.
var imageVersionRE = regexp.MustCompile(`^([0-9]+\.[0-9]+\.[0-9]+)(-[0-9a-f]+)?$`)

// ReleaseFromImageVersion reads the release from an image_version value.
func ReleaseFromImageVersion(v string) (string, bool) {
	m := imageVersionRE.FindStringSubmatch(v)
	if m == nil {
		return "", false
	}
	return m[1], true
}
