package cloud

import (
	"cmp"
	"regexp"
	"slices"
	"strconv"
	"time"
)

func init() {
	ec2Actions["CreateLaunchTemplate"] = createLaunchTemplate
	ec2Actions["CreateLaunchTemplateVersion"] = createLaunchTemplateVersion
	ec2Actions["DescribeLaunchTemplates"] = describeLaunchTemplates
	ec2Actions["DescribeLaunchTemplateVersions"] = describeLaunchTemplateVersions
	ec2Actions["ModifyLaunchTemplate"] = modifyLaunchTemplate
	ec2Actions["DeleteLaunchTemplate"] = deleteLaunchTemplate
}

type launchTemplate struct {
	seq            uint64
	id             string
	name           string
	created        time.Time
	defaultVersion int64
	versions       []*templateVersion // versions[n-1] is version n
	tags           map[string]string
}

type templateVersion struct {
	number      int64
	description string
	created     time.Time
	data        launchData
}

func (lt *launchTemplate) latest() int64 { return int64(len(lt.versions)) }

// templateToken remembers CreateLaunchTemplate(Version) client tokens.
type templateToken struct {
	fingerprint string
	templateID  string
	version     int64
}

var templateNamePattern = regexp.MustCompile(`^[a-zA-Z0-9().\-/_]{3,128}$`)

var createdBy = "arn:aws:iam::" + AccountID + ":user/sandbox"

// ltTagResourceTypes are the resource types a launch template may tag.
var ltTagResourceTypes = []string{"instance", "volume", "network-interface", "spot-instances-request"}

func (w *World) templateXMLLocked(lt *launchTemplate) xmlLaunchTemplate {
	return xmlLaunchTemplate{
		LaunchTemplateID: lt.id, LaunchTemplateName: lt.name, CreateTime: ec2Timestamp(lt.created), CreatedBy: createdBy,
		DefaultVersionNumber: lt.defaultVersion, LatestVersionNumber: lt.latest(), TagSet: xmlTags(lt.tags),
	}
}

func templateVersionXML(lt *launchTemplate, v *templateVersion) xmlLaunchTemplateVersion {
	return xmlLaunchTemplateVersion{
		LaunchTemplateID: lt.id, LaunchTemplateName: lt.name, VersionNumber: v.number, VersionDescription: v.description,
		CreateTime: ec2Timestamp(v.created), CreatedBy: createdBy, DefaultVersion: v.number == lt.defaultVersion,
		LaunchTemplateData: ltDataXML(v.data),
	}
}

// findTemplateLocked looks a template up by id or name with EC2's errors.
func (w *World) findTemplateLocked(id, name string) (*launchTemplate, error) {
	switch {
	case id != "":
		if !validResourceID(id, "lt") {
			return nil, clientError("InvalidLaunchTemplateId.Malformed", "The specified ID for the launch template (%s) is not valid.", id)
		}
		lt, ok := w.templates[id]
		if !ok {
			return nil, clientError("InvalidLaunchTemplateId.NotFound", "The specified launch template, with template ID %s, does not exist.", id)
		}
		return lt, nil
	case name != "":
		lt, ok := w.templateByName[name]
		if !ok {
			return nil, clientError("InvalidLaunchTemplateName.NotFoundException", "The specified launch template, with template name %s, does not exist.", name)
		}
		return lt, nil
	}
	return nil, clientError("MissingParameter", "The request must contain the parameter LaunchTemplateName or LaunchTemplateId")
}

// versionLocked resolves "$Latest", "$Default", "" (default) or a number.
func (lt *launchTemplate) version(spec string) (*templateVersion, error) {
	var n int64
	switch spec {
	case "", "$Default":
		n = lt.defaultVersion
	case "$Latest":
		n = lt.latest()
	default:
		v, err := strconv.ParseInt(spec, 10, 64)
		if err != nil {
			return nil, clientError("InvalidLaunchTemplateId.VersionNotFound", "Could not find launch template version %s for launch template %s.", spec, lt.id)
		}
		n = v
	}
	if n < 1 || n > lt.latest() || lt.versions[n-1] == nil {
		return nil, clientError("InvalidLaunchTemplateId.VersionNotFound", "Could not find launch template version %d for launch template %s.", n, lt.id)
	}
	return lt.versions[n-1], nil
}

func (w *World) resolveTemplateLocked(id, name, version string) (*launchTemplate, *templateVersion, error) {
	lt, err := w.findTemplateLocked(id, name)
	if err != nil {
		return nil, nil, err
	}
	v, err := lt.version(version)
	if err != nil {
		return nil, nil, err
	}
	return lt, v, nil
}

func parseTemplateData(q query) (launchData, error) {
	if !q.hasPrefix("LaunchTemplateData.") {
		return launchData{}, clientError("MissingParameter", "The request must contain the parameter LaunchTemplateData")
	}
	d, err := parseLaunchData(q, "LaunchTemplateData.")
	if err != nil {
		return d, err
	}
	if err := validateTagSpecs(d.TagSpecs, ltTagResourceTypes...); err != nil {
		return d, err
	}
	return d, nil
}

type createLaunchTemplateResponse struct {
	ec2Meta
	LaunchTemplate xmlLaunchTemplate `xml:"launchTemplate"`
}

func createLaunchTemplate(w *World, q query) (any, error) {
	name := q.str("LaunchTemplateName")
	if name == "" {
		return nil, clientError("MissingParameter", "The request must contain the parameter LaunchTemplateName")
	}
	if !templateNamePattern.MatchString(name) {
		return nil, clientError("InvalidLaunchTemplateName.MalformedException", "A launch template name must be between 3 and 128 characters, and may contain letters, numbers, and the following characters: - ( ) . / _.'")
	}
	data, err := parseTemplateData(q)
	if err != nil {
		return nil, err
	}
	var ltTags map[string]string = map[string]string{}
	for i := 1; i <= q.count("TagSpecification", "ResourceType", "Tag"); i++ {
		p := "TagSpecification." + strconv.Itoa(i)
		if rt := q.str(p + ".ResourceType"); rt != "launch-template" {
			return nil, clientError("InvalidParameterValue", "'%s' is not a valid taggable resource type for this operation.", rt)
		}
		tags := q.tags(p + ".Tag")
		if err := validateTags(tags); err != nil {
			return nil, err
		}
		for _, t := range tags {
			ltTags[t.Key] = t.Value
		}
	}
	token := q.str("ClientToken")
	fingerprint := requestFingerprint(q, "ClientToken")

	w.mu.Lock()
	defer w.mu.Unlock()
	if token != "" {
		if prev, ok := w.templateTokens["create/"+token]; ok {
			if prev.fingerprint != fingerprint {
				return nil, clientError("IdempotentParameterMismatch", "Arguments on this idempotent request are inconsistent with arguments used in previous request(s).")
			}
			if lt, ok := w.templates[prev.templateID]; ok {
				return &createLaunchTemplateResponse{LaunchTemplate: w.templateXMLLocked(lt)}, nil
			}
		}
	}
	if _, exists := w.templateByName[name]; exists {
		return nil, clientError("InvalidLaunchTemplateName.AlreadyExistsException", "Launch template name already in use.")
	}
	now := w.clock.Now()
	w.seq++
	lt := &launchTemplate{seq: w.seq, id: w.newIDLocked("lt"), name: name, created: now, defaultVersion: 1, tags: ltTags}
	lt.versions = []*templateVersion{{number: 1, description: q.str("VersionDescription"), created: now, data: data}}
	w.templates[lt.id] = lt
	w.templateByName[name] = lt
	if token != "" {
		w.templateTokens["create/"+token] = &templateToken{fingerprint: fingerprint, templateID: lt.id, version: 1}
	}
	return &createLaunchTemplateResponse{LaunchTemplate: w.templateXMLLocked(lt)}, nil
}

type launchTemplateVersionResponse struct {
	ec2Meta
	Version xmlLaunchTemplateVersion `xml:"launchTemplateVersion"`
}

func createLaunchTemplateVersion(w *World, q query) (any, error) {
	data, err := parseTemplateData(q)
	if err != nil {
		return nil, err
	}
	token := q.str("ClientToken")
	fingerprint := requestFingerprint(q, "ClientToken")
	w.mu.Lock()
	defer w.mu.Unlock()
	lt, err := w.findTemplateLocked(q.str("LaunchTemplateId"), q.str("LaunchTemplateName"))
	if err != nil {
		return nil, err
	}
	if token != "" {
		if prev, ok := w.templateTokens["version/"+token]; ok {
			if prev.fingerprint != fingerprint {
				return nil, clientError("IdempotentParameterMismatch", "Arguments on this idempotent request are inconsistent with arguments used in previous request(s).")
			}
			if prev.templateID == lt.id && prev.version <= lt.latest() && lt.versions[prev.version-1] != nil {
				return &launchTemplateVersionResponse{Version: templateVersionXML(lt, lt.versions[prev.version-1])}, nil
			}
		}
	}
	if src := q.str("SourceVersion"); src != "" {
		base, err := lt.version(src)
		if err != nil {
			return nil, err
		}
		data = overlay(base.data, data)
	}
	v := &templateVersion{number: lt.latest() + 1, description: q.str("VersionDescription"), created: w.clock.Now(), data: data}
	lt.versions = append(lt.versions, v)
	if token != "" {
		w.templateTokens["version/"+token] = &templateToken{fingerprint: fingerprint, templateID: lt.id, version: v.number}
	}
	return &launchTemplateVersionResponse{Version: templateVersionXML(lt, v)}, nil
}

var templateFilters = withTagFilters("launch-template-name", "launch-template-id")

type describeLaunchTemplatesResponse struct {
	ec2Meta
	LaunchTemplates []xmlLaunchTemplate `xml:"launchTemplates>item"`
	NextToken       string              `xml:"nextToken,omitempty"`
}

func pageLimit(q query, lo, hi, def int) (int, uint64, error) {
	limit := def
	mr, err := q.intParam("MaxResults")
	if err != nil {
		return 0, 0, err
	}
	if mr != nil {
		if *mr < lo || *mr > hi {
			return 0, 0, clientError("InvalidParameterValue", "Value ( %d ) for parameter maxResults is invalid. Expecting a value between %d and %d.", *mr, lo, hi)
		}
		limit = *mr
	}
	var from uint64
	if tok := q.str("NextToken"); tok != "" {
		if from, err = parsePageToken(tok); err != nil {
			return 0, 0, err
		}
	}
	return limit, from, nil
}

func describeLaunchTemplates(w *World, q query) (any, error) {
	ids, names := q.list("LaunchTemplateId"), q.list("LaunchTemplateName")
	fs := q.filters()
	if err := validateFilters(fs, templateFilters); err != nil {
		return nil, err
	}
	limit, from, err := pageLimit(q, 1, 200, 1<<30)
	if err != nil {
		return nil, err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	var candidates []*launchTemplate
	switch {
	case len(ids) > 0 || len(names) > 0:
		for _, id := range ids {
			lt, err := w.findTemplateLocked(id, "")
			if err != nil {
				return nil, err
			}
			candidates = append(candidates, lt)
		}
		for _, name := range names {
			lt, ok := w.templateByName[name]
			if !ok {
				return nil, clientError("InvalidLaunchTemplateName.NotFoundException", "At least one of the launch templates specified in the request does not exist.")
			}
			candidates = append(candidates, lt)
		}
	default:
		for _, lt := range w.templates {
			candidates = append(candidates, lt)
		}
	}
	slices.SortFunc(candidates, func(a, b *launchTemplate) int { return cmp.Compare(a.seq, b.seq) })
	candidates = slices.CompactFunc(candidates, func(a, b *launchTemplate) bool { return a == b })
	resp := &describeLaunchTemplatesResponse{}
	for _, lt := range candidates {
		if lt.seq < from {
			continue
		}
		attr := func(name string) []string {
			if name == "launch-template-name" {
				return []string{lt.name}
			}
			return []string{lt.id}
		}
		if !matchFilters(fs, lt.tags, attr) {
			continue
		}
		if len(resp.LaunchTemplates) == limit {
			resp.NextToken = pageToken(lt.seq)
			break
		}
		resp.LaunchTemplates = append(resp.LaunchTemplates, w.templateXMLLocked(lt))
	}
	return resp, nil
}

type describeLaunchTemplateVersionsResponse struct {
	ec2Meta
	Versions  []xmlLaunchTemplateVersion `xml:"launchTemplateVersionSet>item"`
	NextToken string                     `xml:"nextToken,omitempty"`
}

var templateVersionFilters = map[string]bool{"image-id": true, "instance-type": true, "is-default-version": true}

func describeLaunchTemplateVersions(w *World, q query) (any, error) {
	fs := q.filters()
	if err := validateFilters(fs, templateVersionFilters); err != nil {
		return nil, err
	}
	limit, from, err := pageLimit(q, 1, 200, 1<<30)
	if err != nil {
		return nil, err
	}
	specs := q.list("LaunchTemplateVersion")
	minV, err := q.intParam("MinVersion")
	if err != nil {
		return nil, err
	}
	maxV, err := q.intParam("MaxVersion")
	if err != nil {
		return nil, err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	type pair struct {
		lt *launchTemplate
		v  *templateVersion
	}
	var found []pair
	id, name := q.str("LaunchTemplateId"), q.str("LaunchTemplateName")
	if id == "" && name == "" {
		// Without a template EC2 describes $Latest/$Default across all templates.
		if len(specs) == 0 {
			return nil, clientError("MissingParameter", "The request must contain the parameter LaunchTemplateName or LaunchTemplateId")
		}
		for _, s := range specs {
			if s != "$Latest" && s != "$Default" {
				return nil, clientError("InvalidParameterValue", "When describing versions of all launch templates, only $Latest and $Default may be specified.")
			}
		}
		all := make([]*launchTemplate, 0, len(w.templates))
		for _, lt := range w.templates {
			all = append(all, lt)
		}
		slices.SortFunc(all, func(a, b *launchTemplate) int { return cmp.Compare(a.seq, b.seq) })
		for _, lt := range all {
			for _, s := range specs {
				v, _ := lt.version(s)
				if v != nil && !slices.ContainsFunc(found, func(p pair) bool { return p.v == v }) {
					found = append(found, pair{lt, v})
				}
			}
		}
	} else {
		lt, err := w.findTemplateLocked(id, name)
		if err != nil {
			return nil, err
		}
		if len(specs) > 0 {
			for _, s := range specs {
				v, err := lt.version(s)
				if err != nil {
					return nil, err
				}
				if !slices.ContainsFunc(found, func(p pair) bool { return p.v == v }) {
					found = append(found, pair{lt, v})
				}
			}
		} else {
			for _, v := range lt.versions {
				if v == nil || (minV != nil && v.number < int64(*minV)) || (maxV != nil && v.number > int64(*maxV)) {
					continue
				}
				found = append(found, pair{lt, v})
			}
		}
	}
	resp := &describeLaunchTemplateVersionsResponse{}
	for i, p := range found {
		if uint64(i) < from {
			continue
		}
		attr := func(name string) []string {
			switch name {
			case "image-id":
				return []string{p.v.data.ImageID}
			case "instance-type":
				return []string{p.v.data.InstanceType}
			}
			return []string{strconv.FormatBool(p.v.number == p.lt.defaultVersion)}
		}
		if !matchFilters(fs, nil, attr) {
			continue
		}
		if len(resp.Versions) == limit {
			resp.NextToken = pageToken(uint64(i))
			break
		}
		resp.Versions = append(resp.Versions, templateVersionXML(p.lt, p.v))
	}
	return resp, nil
}

type launchTemplateResponse struct {
	ec2Meta
	LaunchTemplate xmlLaunchTemplate `xml:"launchTemplate"`
}

func modifyLaunchTemplate(w *World, q query) (any, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	lt, err := w.findTemplateLocked(q.str("LaunchTemplateId"), q.str("LaunchTemplateName"))
	if err != nil {
		return nil, err
	}
	if s := q.str("SetDefaultVersion"); s != "" {
		v, err := lt.version(s)
		if err != nil {
			return nil, err
		}
		lt.defaultVersion = v.number
	}
	return &launchTemplateResponse{LaunchTemplate: w.templateXMLLocked(lt)}, nil
}

func deleteLaunchTemplate(w *World, q query) (any, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	lt, err := w.findTemplateLocked(q.str("LaunchTemplateId"), q.str("LaunchTemplateName"))
	if err != nil {
		return nil, err
	}
	delete(w.templates, lt.id)
	delete(w.templateByName, lt.name)
	return &launchTemplateResponse{LaunchTemplate: w.templateXMLLocked(lt)}, nil
}
