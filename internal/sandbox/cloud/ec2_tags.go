package cloud

import (
	"strconv"
	"strings"
)

func init() {
	ec2Actions["CreateTags"] = createTags
	ec2Actions["DeleteTags"] = deleteTags
}

type returnResponse struct {
	ec2Meta
	Return bool `xml:"return"`
}

// taggedLocked returns the mutable tag map of a resource id.
func (w *World) taggedLocked(id string) (map[string]string, error) {
	switch {
	case strings.HasPrefix(id, "i-"):
		if !validResourceID(id, "i") {
			return nil, clientError("InvalidInstanceID.Malformed", "Invalid id: \"%s\"", id)
		}
		insts, err := w.lookupInstancesLocked([]string{id})
		if err != nil {
			return nil, err
		}
		return insts[0].tags, nil
	case strings.HasPrefix(id, "lt-"):
		lt, ok := w.templates[id]
		if !ok {
			return nil, clientError("InvalidLaunchTemplateId.NotFound", "The specified launch template, with template ID %s, does not exist.", id)
		}
		return lt.tags, nil
	case strings.HasPrefix(id, "subnet-"), strings.HasPrefix(id, "sg-"), strings.HasPrefix(id, "vpc-"), strings.HasPrefix(id, "ami-"):
		// The network and images are fixed so that every caller sees the
		// same sandbox; changing their tags would break discovery.
		return nil, clientError("UnsupportedOperation", "The sandbox does not change tags of %s.", id)
	}
	return nil, clientError("InvalidID", "The ID '%s' is not valid", id)
}

func createTags(w *World, q query) (any, error) {
	ids := q.list("ResourceId")
	if len(ids) == 0 {
		return nil, clientError("MissingParameter", "The request must contain the parameter resourceIdSet")
	}
	tags := q.tags("Tag")
	if len(tags) == 0 {
		return nil, clientError("MissingParameter", "The request must contain the parameter tagSet")
	}
	if err := validateTags(tags); err != nil {
		return nil, err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	targets := make([]map[string]string, 0, len(ids))
	for _, id := range ids {
		m, err := w.taggedLocked(id)
		if err != nil {
			return nil, err
		}
		merged := cloneTags(m)
		for _, t := range tags {
			merged[t.Key] = t.Value
		}
		if userTagCount(merged) > maxUserTags {
			return nil, clientError("TagLimitExceeded", "The maximum number of tags per resource (50) has been exceeded for %s.", id)
		}
		if err := w.checkInstanceMetadataTagKeysLocked(id, merged); err != nil {
			return nil, err
		}
		targets = append(targets, m)
	}
	for _, m := range targets {
		for _, t := range tags {
			m[t.Key] = t.Value
		}
	}
	return &returnResponse{Return: true}, nil
}

func deleteTags(w *World, q query) (any, error) {
	ids := q.list("ResourceId")
	if len(ids) == 0 {
		return nil, clientError("MissingParameter", "The request must contain the parameter resourceIdSet")
	}
	type del struct {
		key      string
		value    string
		hasValue bool
	}
	var dels []del
	for i := 1; ; i++ {
		p := "Tag." + strconv.Itoa(i)
		if !q.has(p + ".Key") {
			break
		}
		dels = append(dels, del{key: q.str(p + ".Key"), value: q.str(p + ".Value"), hasValue: q.has(p + ".Value")})
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	targets := make([]map[string]string, 0, len(ids))
	for _, id := range ids {
		m, err := w.taggedLocked(id)
		if err != nil {
			return nil, err
		}
		targets = append(targets, m)
	}
	for _, m := range targets {
		if len(dels) == 0 {
			// Without Tag parameters EC2 deletes every user tag.
			for k := range m {
				if !strings.HasPrefix(k, "aws:") {
					delete(m, k)
				}
			}
			continue
		}
		for _, d := range dels {
			// A value given (even empty) deletes the tag only if it matches.
			if v, ok := m[d.key]; ok && (!d.hasValue || v == d.value) {
				delete(m, d.key)
			}
		}
	}
	return &returnResponse{Return: true}, nil
}
