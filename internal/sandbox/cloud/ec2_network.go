package cloud

import (
	"slices"
	"strings"
)

func init() {
	ec2Actions["DescribeSubnets"] = describeSubnets
	ec2Actions["DescribeSecurityGroups"] = describeSecurityGroups
	ec2Actions["DescribeImages"] = describeImages
}

type xmlSubnet struct {
	SubnetID                string           `xml:"subnetId"`
	SubnetArn               string           `xml:"subnetArn"`
	State                   string           `xml:"state"`
	VpcID                   string           `xml:"vpcId"`
	OwnerID                 string           `xml:"ownerId"`
	CidrBlock               string           `xml:"cidrBlock"`
	AvailableIPAddressCount int              `xml:"availableIpAddressCount"`
	AvailabilityZone        string           `xml:"availabilityZone"`
	AvailabilityZoneID      string           `xml:"availabilityZoneId"`
	DefaultForAz            bool             `xml:"defaultForAz"`
	MapPublicIPOnLaunch     bool             `xml:"mapPublicIpOnLaunch"`
	TagSet                  itemList[xmlTag] `xml:"tagSet,omitempty"`
}

type describeSubnetsResponse struct {
	ec2Meta
	Subnets   []xmlSubnet `xml:"subnetSet>item"`
	NextToken string      `xml:"nextToken,omitempty"`
}

var subnetFilters = withTagFilters("subnet-id", "vpc-id", "availability-zone", "availability-zone-id", "cidr-block", "cidr", "state", "default-for-az")

// pageIndex pages a small fixed list: the token is the index to start at.
func pageIndex[T any](items []T, limit int, from uint64) ([]T, string) {
	if from > uint64(len(items)) {
		from = uint64(len(items))
	}
	items = items[from:]
	if len(items) > limit {
		return items[:limit], pageToken(from + uint64(limit))
	}
	return items, ""
}

func describeSubnets(w *World, q query) (any, error) {
	fs := q.filters()
	if err := validateFilters(fs, subnetFilters); err != nil {
		return nil, err
	}
	limit, from, err := pageLimit(q, 5, 1000, 1<<30)
	if err != nil {
		return nil, err
	}
	ids := q.list("SubnetId")
	for _, id := range ids {
		if _, ok := w.catalog.subnetByID[id]; !ok {
			return nil, clientError("InvalidSubnetID.NotFound", "The subnet ID '%s' does not exist", id)
		}
	}
	w.mu.Lock()
	free := map[string]int{}
	for i := range w.catalog.subnets {
		free[w.catalog.subnets[i].ID] = w.freeAddressesLocked(&w.catalog.subnets[i])
	}
	w.mu.Unlock()
	var out []xmlSubnet
	for _, s := range w.catalog.subnets {
		if len(ids) > 0 && !slices.Contains(ids, s.ID) {
			continue
		}
		attr := func(name string) []string {
			switch name {
			case "subnet-id":
				return []string{s.ID}
			case "vpc-id":
				return []string{w.catalog.vpc.ID}
			case "availability-zone":
				return []string{s.AZ}
			case "availability-zone-id":
				return []string{s.AZID}
			case "cidr-block", "cidr":
				return []string{s.Prefix.String()}
			case "state":
				return []string{"available"}
			}
			return []string{"false"}
		}
		if !matchFilters(fs, s.Tags, attr) {
			continue
		}
		out = append(out, xmlSubnet{
			SubnetID: s.ID, SubnetArn: "arn:aws:ec2:" + w.region + ":" + AccountID + ":subnet/" + s.ID, State: "available",
			VpcID: w.catalog.vpc.ID, OwnerID: AccountID, CidrBlock: s.Prefix.String(), AvailableIPAddressCount: free[s.ID],
			AvailabilityZone: s.AZ, AvailabilityZoneID: s.AZID, TagSet: xmlTags(s.Tags),
		})
	}
	resp := &describeSubnetsResponse{}
	resp.Subnets, resp.NextToken = pageIndex(out, limit, from)
	return resp, nil
}

type xmlSecurityGroup struct {
	OwnerID          string           `xml:"ownerId"`
	GroupID          string           `xml:"groupId"`
	GroupName        string           `xml:"groupName"`
	GroupDescription string           `xml:"groupDescription"`
	VpcID            string           `xml:"vpcId"`
	SecurityGroupArn string           `xml:"securityGroupArn"`
	TagSet           itemList[xmlTag] `xml:"tagSet,omitempty"`
}

type describeSecurityGroupsResponse struct {
	ec2Meta
	Groups    []xmlSecurityGroup `xml:"securityGroupInfo>item"`
	NextToken string             `xml:"nextToken,omitempty"`
}

var groupFilters = withTagFilters("group-id", "group-name", "vpc-id", "description", "owner-id")

func describeSecurityGroups(w *World, q query) (any, error) {
	fs := q.filters()
	if err := validateFilters(fs, groupFilters); err != nil {
		return nil, err
	}
	limit, from, err := pageLimit(q, 5, 1000, 1<<30)
	if err != nil {
		return nil, err
	}
	ids, names := q.list("GroupId"), q.list("GroupName")
	for _, id := range ids {
		if _, ok := w.catalog.groupByID[id]; !ok {
			if !validResourceID(id, "sg") {
				return nil, clientError("InvalidGroupId.Malformed", "Invalid id: \"%s\" (expecting \"sg-...\")", id)
			}
			return nil, clientError("InvalidGroup.NotFound", "The security group '%s' does not exist", id)
		}
	}
	for _, n := range names {
		found := false
		for _, g := range w.catalog.groups {
			found = found || g.Name == n
		}
		if !found {
			return nil, clientError("InvalidGroup.NotFound", "The security group '%s' does not exist in default VPC '%s'", n, w.catalog.vpc.ID)
		}
	}
	var out []xmlSecurityGroup
	for _, g := range w.catalog.groups {
		if (len(ids) > 0 && !slices.Contains(ids, g.ID)) || (len(names) > 0 && !slices.Contains(names, g.Name)) {
			continue
		}
		attr := func(name string) []string {
			switch name {
			case "group-id":
				return []string{g.ID}
			case "group-name":
				return []string{g.Name}
			case "vpc-id":
				return []string{w.catalog.vpc.ID}
			case "description":
				return []string{g.Description}
			}
			return []string{AccountID}
		}
		if !matchFilters(fs, g.Tags, attr) {
			continue
		}
		out = append(out, xmlSecurityGroup{
			OwnerID: AccountID, GroupID: g.ID, GroupName: g.Name, GroupDescription: g.Description, VpcID: w.catalog.vpc.ID,
			SecurityGroupArn: "arn:aws:ec2:" + w.region + ":" + AccountID + ":security-group/" + g.ID, TagSet: xmlTags(g.Tags),
		})
	}
	resp := &describeSecurityGroupsResponse{}
	resp.Groups, resp.NextToken = pageIndex(out, limit, from)
	return resp, nil
}

type xmlImageEbs struct {
	SnapshotID          string `xml:"snapshotId"`
	VolumeSize          int    `xml:"volumeSize"`
	DeleteOnTermination bool   `xml:"deleteOnTermination"`
	VolumeType          string `xml:"volumeType"`
	Encrypted           bool   `xml:"encrypted"`
}

type xmlImageBlockDevice struct {
	DeviceName string      `xml:"deviceName"`
	Ebs        xmlImageEbs `xml:"ebs"`
}

type xmlImage struct {
	ImageID            string                `xml:"imageId"`
	ImageLocation      string                `xml:"imageLocation"`
	ImageState         string                `xml:"imageState"`
	ImageOwnerID       string                `xml:"imageOwnerId"`
	CreationDate       string                `xml:"creationDate"`
	IsPublic           bool                  `xml:"isPublic"`
	Architecture       string                `xml:"architecture"`
	ImageType          string                `xml:"imageType"`
	Name               string                `xml:"name"`
	Description        string                `xml:"description"`
	ImageOwnerAlias    string                `xml:"imageOwnerAlias"`
	RootDeviceType     string                `xml:"rootDeviceType"`
	RootDeviceName     string                `xml:"rootDeviceName"`
	BlockDeviceMapping []xmlImageBlockDevice `xml:"blockDeviceMapping>item"`
	VirtualizationType string                `xml:"virtualizationType"`
	TagSet             itemList[xmlTag]      `xml:"tagSet,omitempty"`
	Hypervisor         string                `xml:"hypervisor"`
	EnaSupport         bool                  `xml:"enaSupport"`
	SriovNetSupport    string                `xml:"sriovNetSupport"`
	BootMode           string                `xml:"bootMode"`
	ImdsSupport        string                `xml:"imdsSupport"`
	PlatformDetails    string                `xml:"platformDetails"`
	UsageOperation     string                `xml:"usageOperation"`
}

type describeImagesResponse struct {
	ec2Meta
	Images    []xmlImage `xml:"imagesSet>item"`
	NextToken string     `xml:"nextToken,omitempty"`
}

var imageFilters = withTagFilters("architecture", "image-id", "name", "owner-id", "owner-alias", "state",
	"image-type", "is-public", "root-device-type", "virtualization-type", "description", "hypervisor", "platform-details")

func describeImages(w *World, q query) (any, error) {
	fs := q.filters()
	if err := validateFilters(fs, imageFilters); err != nil {
		return nil, err
	}
	limit, from, err := pageLimit(q, 5, 1000, 1<<30)
	if err != nil {
		return nil, err
	}
	ids, owners := q.list("ImageId"), q.list("Owner")
	var missing []string
	for _, id := range ids {
		if _, ok := w.catalog.imageByID[id]; !ok {
			if !validResourceID(id, "ami") {
				return nil, clientError("InvalidAMIID.Malformed", "Invalid id: \"%s\" (expecting \"ami-...\")", id)
			}
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		return nil, clientError("InvalidAMIID.NotFound", "The image id '[%s]' does not exist", strings.Join(missing, ", "))
	}
	ownerMatches := func(img *image) bool {
		if len(owners) == 0 {
			return true
		}
		for _, o := range owners {
			switch o {
			case img.OwnerAlias, img.OwnerID:
				return true
			case "self":
				if img.OwnerID == AccountID {
					return true
				}
			}
		}
		return false
	}
	var out []xmlImage
	for i := range w.catalog.images {
		img := &w.catalog.images[i]
		if (len(ids) > 0 && !slices.Contains(ids, img.ID)) || !ownerMatches(img) {
			continue
		}
		attr := func(name string) []string {
			switch name {
			case "architecture":
				return []string{img.Architecture}
			case "image-id":
				return []string{img.ID}
			case "name":
				return []string{img.Name}
			case "owner-id":
				return []string{img.OwnerID}
			case "owner-alias":
				return []string{img.OwnerAlias}
			case "state":
				return []string{"available"}
			case "image-type":
				return []string{"machine"}
			case "is-public":
				return []string{"true"}
			case "root-device-type":
				return []string{"ebs"}
			case "virtualization-type":
				return []string{"hvm"}
			case "description":
				return []string{img.Description}
			case "hypervisor":
				return []string{"xen"}
			}
			return []string{"Linux/UNIX"}
		}
		if !matchFilters(fs, img.Tags, attr) {
			continue
		}
		out = append(out, xmlImage{
			ImageID: img.ID, ImageLocation: img.OwnerAlias + "/" + img.Name, ImageState: "available", ImageOwnerID: img.OwnerID,
			CreationDate: ec2Timestamp(img.Created), IsPublic: true, Architecture: img.Architecture, ImageType: "machine",
			Name: img.Name, Description: img.Description, ImageOwnerAlias: img.OwnerAlias, RootDeviceType: "ebs", RootDeviceName: "/dev/xvda",
			BlockDeviceMapping: []xmlImageBlockDevice{
				{DeviceName: "/dev/xvda", Ebs: xmlImageEbs{SnapshotID: stableID("snap", img.ID+"/root"), VolumeSize: 4, DeleteOnTermination: true, VolumeType: "gp2"}},
				{DeviceName: "/dev/xvdb", Ebs: xmlImageEbs{SnapshotID: stableID("snap", img.ID+"/data"), VolumeSize: 20, DeleteOnTermination: true, VolumeType: "gp2"}},
			},
			VirtualizationType: "hvm", TagSet: xmlTags(img.Tags), Hypervisor: "xen", EnaSupport: true, SriovNetSupport: "simple",
			BootMode: "uefi-preferred", ImdsSupport: "v2.0", PlatformDetails: "Linux/UNIX", UsageOperation: "RunInstances",
		})
	}
	resp := &describeImagesResponse{}
	resp.Images, resp.NextToken = pageIndex(out, limit, from)
	return resp, nil
}
