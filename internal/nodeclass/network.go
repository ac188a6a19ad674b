package nodeclass

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// Subnet is a subnet a node class launches into, with its zone.
type Subnet struct {
	ID               string
	AvailabilityZone string
}

// SelectorMatchedNothingError says a tag selector found no subnet or
// security group. It is an error, never an empty node class: a pool with no
// subnet cannot launch, and a typo in a tag should fail the plan.
type SelectorMatchedNothingError struct {
	Kind     string // "subnet" or "security group"
	Selector map[string]string
}

func (e *SelectorMatchedNothingError) Error() string {
	return fmt.Sprintf("no %s matches the tags %s", e.Kind, formatSelector(e.Selector))
}

func formatSelector(tags map[string]string) string {
	parts := make([]string, 0, len(tags))
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		parts = append(parts, fmt.Sprintf("%s=%q", k, tags[k]))
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// selectorFilters turns tags into EC2 filters; the value "*" asks only that
// the tag exists.
func selectorFilters(tags map[string]string) []ec2types.Filter {
	var out []ec2types.Filter
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		if tags[k] == "*" {
			out = append(out, ec2types.Filter{Name: aws.String("tag-key"), Values: []string{k}})
			continue
		}
		out = append(out, ec2types.Filter{Name: aws.String("tag:" + k), Values: []string{tags[k]}})
	}
	return out
}

// ResolveSubnets looks subnets up by ids (kept in the given order; an id
// that does not exist is an error) or, when ids is empty, by selector tags
// (ordered by availability zone, then id, so a plan is stable).
func ResolveSubnets(ctx context.Context, api NetworkAPI, ids []string, selector map[string]string) ([]Subnet, error) {
	if len(ids) > 0 {
		if dup := firstDuplicate(ids); dup != "" {
			return nil, fmt.Errorf("subnet %s is listed twice", dup)
		}
		found, err := describeSubnets(ctx, api, &ec2.DescribeSubnetsInput{SubnetIds: ids})
		if err != nil {
			return nil, err
		}
		return inOrder(found, ids), nil
	}
	if len(selector) == 0 {
		return nil, fmt.Errorf("no subnet ids and no subnet selector")
	}
	found, err := describeSubnets(ctx, api, &ec2.DescribeSubnetsInput{Filters: selectorFilters(selector)})
	if err != nil {
		return nil, err
	}
	if len(found) == 0 {
		return nil, &SelectorMatchedNothingError{Kind: "subnet", Selector: selector}
	}
	slices.SortFunc(found, func(a, b Subnet) int {
		return cmp.Or(cmp.Compare(a.AvailabilityZone, b.AvailabilityZone), cmp.Compare(a.ID, b.ID))
	})
	return found, nil
}

func describeSubnets(ctx context.Context, api NetworkAPI, in *ec2.DescribeSubnetsInput) ([]Subnet, error) {
	var out []Subnet
	pages := ec2.NewDescribeSubnetsPaginator(api, in)
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("describe subnets: %w", err)
		}
		for _, s := range page.Subnets {
			out = append(out, Subnet{ID: aws.ToString(s.SubnetId), AvailabilityZone: aws.ToString(s.AvailabilityZone)})
		}
	}
	return out, nil
}

// inOrder returns the subnets found in the order of ids, leaving out those
// not found.
func inOrder(found []Subnet, ids []string) []Subnet {
	byID := make(map[string]Subnet, len(found))
	for _, s := range found {
		byID[s.ID] = s
	}
	out := make([]Subnet, 0, len(ids))
	for _, id := range ids {
		if s, ok := byID[id]; ok {
			out = append(out, s)
		}
	}
	return out
}

// ResolveSecurityGroups looks security groups up by ids (kept in order; an
// id that does not exist is an error) or, when ids is empty, by selector
// tags (ordered by id).
func ResolveSecurityGroups(ctx context.Context, api NetworkAPI, ids []string, selector map[string]string) ([]string, error) {
	if len(ids) > 0 {
		if dup := firstDuplicate(ids); dup != "" {
			return nil, fmt.Errorf("security group %s is listed twice", dup)
		}
		found, err := describeSecurityGroups(ctx, api, &ec2.DescribeSecurityGroupsInput{GroupIds: ids})
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			if !slices.Contains(found, id) {
				return nil, fmt.Errorf("security group %s does not exist", id)
			}
		}
		return slices.Clone(ids), nil
	}
	if len(selector) == 0 {
		return nil, fmt.Errorf("no security group ids and no security group selector")
	}
	found, err := describeSecurityGroups(ctx, api, &ec2.DescribeSecurityGroupsInput{Filters: selectorFilters(selector)})
	if err != nil {
		return nil, err
	}
	if len(found) == 0 {
		return nil, &SelectorMatchedNothingError{Kind: "security group", Selector: selector}
	}
	slices.Sort(found)
	return found, nil
}

func describeSecurityGroups(ctx context.Context, api NetworkAPI, in *ec2.DescribeSecurityGroupsInput) ([]string, error) {
	var out []string
	pages := ec2.NewDescribeSecurityGroupsPaginator(api, in)
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("describe security groups: %w", err)
		}
		for _, g := range page.SecurityGroups {
			out = append(out, aws.ToString(g.GroupId))
		}
	}
	return out, nil
}

func firstDuplicate(ids []string) string {
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		if seen[id] {
			return id
		}
		seen[id] = true
	}
	return ""
}

// ImageArchitecture is the architecture of an AMI ("x86_64", "arm64").
func ImageArchitecture(ctx context.Context, api NetworkAPI, amiID string) (string, error) {
	out, err := api.DescribeImages(ctx, &ec2.DescribeImagesInput{ImageIds: []string{amiID}})
	if err != nil {
		return "", fmt.Errorf("describe AMI %s: %w", amiID, err)
	}
	if len(out.Images) == 0 {
		return "", fmt.Errorf("AMI %s does not exist or is not shared with this account", amiID)
	}
	return string(out.Images[0].Architecture), nil
}

// InstanceTypeArchitecture derives an instance type's architecture from its
// name. Graviton families carry a "g" among the letters after the
// generation (m6g, c7gn, r6gd, t4g, im4gn, g5g); a1 is the first Graviton.
// Everything else is x86_64. ok is false when the name has no family and
// generation to read.
func InstanceTypeArchitecture(instanceType string) (arch string, ok bool) {
	family, _, found := strings.Cut(instanceType, ".")
	if !found || family == "" {
		return "", false
	}
	family, _, _ = strings.Cut(family, "-") // m7i-flex, u-6tb1
	i := strings.IndexFunc(family, func(r rune) bool { return r >= '0' && r <= '9' })
	if i <= 0 {
		return "", false
	}
	if family == "a1" {
		return "arm64", true
	}
	rest := strings.TrimLeft(family[i:], "0123456789")
	if strings.Contains(rest, "g") {
		return "arm64", true
	}
	return "x86_64", true
}

// ArchitectureMismatch is an instance type that cannot boot the AMI.
type ArchitectureMismatch struct {
	// Index is the instance type's position in the node class's list.
	Index            int
	InstanceType     string
	TypeArchitecture string
	AMIID            string
	AMIArchitecture  string
}

func (m ArchitectureMismatch) Error() string {
	return fmt.Sprintf("instance type %s is %s, but AMI %s is %s", m.InstanceType, m.TypeArchitecture, m.AMIID, m.AMIArchitecture)
}

// CheckArchitectures lists the instance types whose architecture differs
// from the AMI's. Types whose architecture cannot be read are not reported.
func CheckArchitectures(amiID, amiArchitecture string, instanceTypes []string) []ArchitectureMismatch {
	var out []ArchitectureMismatch
	for i, t := range instanceTypes {
		arch, ok := InstanceTypeArchitecture(t)
		if ok && arch != amiArchitecture {
			out = append(out, ArchitectureMismatch{Index: i, InstanceType: t, TypeArchitecture: arch, AMIID: amiID, AMIArchitecture: amiArchitecture})
		}
	}
	return out
}
