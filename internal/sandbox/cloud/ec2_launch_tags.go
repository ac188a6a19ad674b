package cloud

import "strings"

// maxUserTags is EC2's limit of tags per resource. Tags with the reserved
// aws: prefix (aws:ec2launchtemplate:id, …) do not count against it (EC2
// User Guide, "Tag restrictions").
const maxUserTags = 50

func userTagCount(tags map[string]string) int {
	n := 0
	for k := range tags {
		if !strings.HasPrefix(strings.ToLower(k), "aws:") {
			n++
		}
	}
	return n
}

// checkLaunchTags applies the tag rules to what a launch gives each
// resource: the launch template's tag specifications merged with the
// request's (EC2 User Guide, "Launch an instance from a launch template":
// the instance gets both), so the 50-tag limit is on the merged set, not
// on each part; and, when instance metadata tags are on, the IMDS key rule.
func checkLaunchTags(data launchData, metadata metadataSpec) error {
	for _, rt := range []string{"instance", "volume", "network-interface"} {
		tags := tagsFor(data.TagSpecs, rt)
		if n := userTagCount(tags); n > maxUserTags {
			return clientError("TagLimitExceeded", "The maximum number of tags per resource (%d) has been exceeded: the launch template and the request together give the %s %d tags.", maxUserTags, rt, n)
		}
	}
	if metadata.InstanceMetadataTags == "enabled" {
		return validateIMDSTagKeys(tagsFor(data.TagSpecs, "instance"))
	}
	return nil
}

// checkInstanceMetadataTagKeysLocked refuses, as CreateTags does, keys IMDS
// cannot serve on an instance whose tags are in its metadata.
func (w *World) checkInstanceMetadataTagKeysLocked(id string, tags map[string]string) error {
	inst, ok := w.instances[id]
	if !ok || inst.metadata.InstanceMetadataTags != "enabled" {
		return nil
	}
	return validateIMDSTagKeys(tags)
}
