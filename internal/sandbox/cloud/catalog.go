package cloud

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/netip"
	"sort"
	"time"
)

// DiscoveryTagKey/Value tag every sandbox network resource so node classes
// can select them the way they would select real ones.
const (
	DiscoveryTagKey   = "stratos.sh/discovery"
	DiscoveryTagValue = "sandbox"
)

// BottlerocketOwnerID owns the Bottlerocket public AMIs in the sandbox.
const BottlerocketOwnerID = "651937483462"

// latestBottlerocketVersion is what the "latest" SSM parameters point at: a
// current release, as the real /aws/service/bottlerocket/<variant>/<arch>/latest
// is (Bottlerocket publishes a release every few weeks; the settings
// documentation of bottlerocket-os/bottlerocket-project-website last
// changed in 1.64.x).
const latestBottlerocketVersion = "1.64.0"

// bottlerocketVersions are the releases published for every variant. The
// old ones stay, as on AWS, for node classes pinned to an older AMI (and
// the tests of settings newer than it).
var bottlerocketVersions = []string{"1.29.0", "1.30.0", latestBottlerocketVersion}

// imageNameArch is the architecture as Bottlerocket's build names images
// (bottlerocket-<variant>-<arch>-v<version>-<commit>, BUILDSYS_NAME_FULL in
// its build system): aarch64 where EC2 and the SSM paths say arm64.
func imageNameArch(arch string) string {
	if arch == "arm64" {
		return "aarch64"
	}
	return arch
}

// catalogEpoch dates the fixed resources so output is stable between runs.
var catalogEpoch = time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)

type vpc struct {
	ID   string
	CIDR string
	Tags map[string]string
}

type subnet struct {
	ID     string
	AZ     string
	AZID   string
	Prefix netip.Prefix
	Tags   map[string]string
}

type securityGroup struct {
	ID          string
	Name        string
	Description string
	Tags        map[string]string
}

type image struct {
	ID           string
	Name         string
	Description  string
	Variant      string // aws-k8s-1.32, aws-k8s-1.32-nvidia
	Version      string // 1.30.0
	Build        string // 1.30.0-<commit>
	Architecture string
	OwnerID      string
	OwnerAlias   string
	Created      time.Time
	Tags         map[string]string
}

type ssmParameter struct {
	Name     string
	Value    string
	Modified time.Time
}

// catalog holds the fixed resources; it is immutable after construction,
// so handlers read it without the world lock.
type catalog struct {
	vpc         vpc
	subnets     []subnet
	subnetByID  map[string]*subnet
	subnetByAZ  map[string]*subnet
	groups      []securityGroup
	groupByID   map[string]*securityGroup
	images      []image
	imageByID   map[string]*image
	params      []ssmParameter // sorted by name
	paramByName map[string]*ssmParameter
}

// stableID derives an AWS-shaped id from a name so the catalog is the same
// in every run (tests and Terraform configurations can rely on it).
func stableID(prefix, name string) string {
	sum := sha256.Sum256([]byte(name))
	return prefix + "-" + hex.EncodeToString(sum[:])[:17]
}

func stableHex(name string, n int) string {
	sum := sha256.Sum256([]byte(name))
	return hex.EncodeToString(sum[:])[:n]
}

func newCatalog(region string) *catalog {
	c := &catalog{
		subnetByID:  map[string]*subnet{},
		subnetByAZ:  map[string]*subnet{},
		groupByID:   map[string]*securityGroup{},
		imageByID:   map[string]*image{},
		paramByName: map[string]*ssmParameter{},
	}
	discovery := func(name string) map[string]string {
		return map[string]string{DiscoveryTagKey: DiscoveryTagValue, "Name": name}
	}
	c.vpc = vpc{ID: stableID("vpc", region+"/sandbox"), CIDR: "10.0.0.0/16", Tags: discovery("sandbox")}
	// /18 per zone leaves room for thousands of instances per subnet.
	for i, letter := range []string{"a", "b", "c"} {
		az := region + letter
		c.subnets = append(c.subnets, subnet{
			ID:     stableID("subnet", az+"/sandbox"),
			AZ:     az,
			AZID:   fmt.Sprintf("use1-az%d", i+1),
			Prefix: netip.PrefixFrom(netip.AddrFrom4([4]byte{10, 0, byte(i * 64), 0}), 18),
			Tags:   discovery("sandbox-private-" + az),
		})
	}
	for i := range c.subnets {
		c.subnetByID[c.subnets[i].ID] = &c.subnets[i]
		c.subnetByAZ[c.subnets[i].AZ] = &c.subnets[i]
	}
	c.groups = []securityGroup{{
		ID: stableID("sg", region+"/sandbox-nodes"), Name: "sandbox-nodes",
		Description: "Sandbox node security group", Tags: discovery("sandbox-nodes"),
	}}
	for i := range c.groups {
		c.groupByID[c.groups[i].ID] = &c.groups[i]
	}

	for _, k8s := range []string{"1.31", "1.32", "1.33"} {
		for _, flavour := range []string{"", "-nvidia"} {
			variant := "aws-k8s-" + k8s + flavour
			for _, arch := range []string{"x86_64", "arm64"} {
				for vi, version := range bottlerocketVersions {
					build := version + "-" + stableHex(version, 8)
					name := fmt.Sprintf("bottlerocket-%s-%s-v%s", variant, imageNameArch(arch), build)
					img := image{
						ID:           stableID("ami", region+"/"+name),
						Name:         name,
						Description:  name,
						Variant:      variant,
						Version:      version,
						Build:        build,
						Architecture: arch,
						OwnerID:      BottlerocketOwnerID,
						OwnerAlias:   "amazon",
						Created:      catalogEpoch.Add(time.Duration(vi) * 30 * 24 * time.Hour),
						Tags: map[string]string{
							"bottlerocket.io/variant": variant,
							"bottlerocket.io/version": version,
						},
					}
					c.images = append(c.images, img)
					base := fmt.Sprintf("/aws/service/bottlerocket/%s/%s/", variant, arch)
					dirs := []string{version}
					if version == latestBottlerocketVersion {
						dirs = append(dirs, "latest")
					}
					for _, dir := range dirs {
						c.params = append(c.params,
							ssmParameter{Name: base + dir + "/image_id", Value: img.ID, Modified: img.Created},
							ssmParameter{Name: base + dir + "/image_version", Value: build, Modified: img.Created},
						)
					}
				}
			}
		}
	}
	for i := range c.images {
		c.imageByID[c.images[i].ID] = &c.images[i]
	}
	sort.Slice(c.params, func(i, j int) bool { return c.params[i].Name < c.params[j].Name })
	for i := range c.params {
		c.paramByName[c.params[i].Name] = &c.params[i]
	}
	return c
}

func (c *catalog) azs() []string {
	out := make([]string, 0, len(c.subnets))
	for _, s := range c.subnets {
		out = append(out, s.AZ)
	}
	return out
}
