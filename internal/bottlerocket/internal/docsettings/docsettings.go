// Package docsettings reads the settings documentation data of
// bottlerocket-os/bottlerocket-project-website (data/settings/<version>/<family>.toml)
// the way the website's Hugo templates do (layouts/partials/merged-settings.html,
// _merge-docs.html): for a release, every version folder at or below it is
// merged in version order, a later docs.ref.<id> entry replacing an earlier
// one. It yields each documented setting with the folder that first
// documented it and its examples rendered as the website's TOML tab renders
// them (layouts/partials/settings-example-tab-pane.html).
package docsettings

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/pelletier/go-toml/v2"
)

// NotOnAWSK8s are documented families the aws-k8s variants do not have
// (the documentation marks ecs "ECS variants only"), with the reason; an
// aws-k8s node refuses them as unknown settings.
var NotOnAWSK8s = map[string]string{
	"ecs": "ECS variants only",
}

// Setting is one documented setting of the newest release.
type Setting struct {
	Family string // settings.<Family>
	ID     string // the docs.ref key
	// Path is the dotted path below settings.<Family> (name_override, or
	// the ID); empty for a top-level family such as motd. It may hold
	// placeholders such as <name>.
	Path string
	// Since is the first documentation folder ("1.44.x") describing the
	// setting. The data starts at 1.14.x, so "1.14.x" means 1.14 or older.
	Since      string
	Deprecated bool
	Examples   []Example
	// AcceptedValues are the documented accepted_values, markdown as
	// written ("`none`", "`soci`", "a positive integer").
	AcceptedValues []string
	// AcceptedSince is the first documentation folder listing each of
	// them ("mps" of device-sharing-strategy: 1.54.x, the setting 1.25.x).
	AcceptedSince map[string]string
}

func acceptedValues(doc map[string]any) []string {
	var out []string
	accepted, _ := doc["accepted_values"].([]any)
	for _, a := range accepted {
		if text, ok := a.(string); ok {
			out = append(out, text)
		}
	}
	return out
}

// FullName is settings.<family>[.<path>].
func (s Setting) FullName() string {
	if s.Path == "" {
		return "settings." + s.Family
	}
	return "settings." + s.Family + "." + s.Path
}

// Example is one documented example.
type Example struct {
	// Form is "value", "multiline", "direct_toml", "topic" (a TOML example
	// of a docs.tag topic), "direct_shell", "direct_yaml" or "topic_shell"
	// (the last three are not user data and have no TOML).
	Form    string
	Comment string
	// TOML is the example as user data; empty for direct_shell.
	TOML string
}

// Topic is a docs.tag topic of a family with its TOML examples.
type Topic struct {
	Family, Tag string
	Since       string
	Examples    []Example
}

// Docs is the merged documentation of the newest release.
type Docs struct {
	Release  Release
	Settings []Setting
	Topics   []Topic
}

// Release is a documentation version folder such as "1.54.x".
type Release struct{ Major, Minor int }

func (r Release) String() string { return fmt.Sprintf("%d.%d.x", r.Major, r.Minor) }

// ParseRelease reads "1.54.x" (or "1.54.0").
func ParseRelease(s string) (Release, error) {
	parts := strings.Split(s, ".")
	if len(parts) < 2 {
		return Release{}, fmt.Errorf("release %q: want major.minor", s)
	}
	maj, err1 := strconv.Atoi(parts[0])
	min, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil {
		return Release{}, fmt.Errorf("release %q: want major.minor", s)
	}
	return Release{maj, min}, nil
}

// Less orders releases.
func (r Release) Less(o Release) bool {
	return r.Major < o.Major || r.Major == o.Major && r.Minor < o.Minor
}

// Load merges every version folder under dir (the snapshot's settings/)
// as the website does for its newest release.
func Load(dir string) (Docs, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return Docs{}, err
	}
	var releases []Release
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		r, err := ParseRelease(e.Name())
		if err != nil {
			return Docs{}, fmt.Errorf("%s: %w", e.Name(), err)
		}
		releases = append(releases, r)
	}
	if len(releases) == 0 {
		return Docs{}, fmt.Errorf("%s: no version folders", dir)
	}
	sort.Slice(releases, func(i, j int) bool { return releases[i].Less(releases[j]) })

	type entry struct {
		family, id string
		since      Release
		doc        map[string]any
		// acceptedSince is the first folder listing each accepted value.
		acceptedSince map[string]string
	}
	refs, tags := map[string]*entry{}, map[string]*entry{}
	keep := func(into map[string]*entry, family string, r Release, docs map[string]map[string]any) {
		for id, doc := range docs {
			key := family + "\x00" + id
			e, ok := into[key]
			if !ok {
				e = &entry{family: family, id: id, since: r, acceptedSince: map[string]string{}}
				into[key] = e
			}
			e.doc = doc
			for _, v := range acceptedValues(doc) {
				if _, seen := e.acceptedSince[v]; !seen {
					e.acceptedSince[v] = r.String()
				}
			}
		}
	}
	for _, r := range releases {
		files, err := filepath.Glob(filepath.Join(dir, r.String(), "*.toml"))
		if err != nil {
			return Docs{}, err
		}
		for _, f := range files {
			family := strings.TrimSuffix(filepath.Base(f), ".toml")
			ref, tag, err := readFile(f)
			if err != nil {
				return Docs{}, err
			}
			keep(refs, family, r, ref)
			keep(tags, family, r, tag)
		}
	}

	docs := Docs{Release: releases[len(releases)-1]}
	for _, e := range refs {
		s, err := setting(e.family, e.id, e.since, e.doc)
		if err != nil {
			return Docs{}, err
		}
		s.AcceptedSince = e.acceptedSince
		docs.Settings = append(docs.Settings, s)
	}
	sort.Slice(docs.Settings, func(i, j int) bool {
		a, b := docs.Settings[i], docs.Settings[j]
		return a.FullName() < b.FullName() || a.FullName() == b.FullName() && a.ID < b.ID
	})
	for _, e := range tags {
		t := Topic{Family: e.family, Tag: e.id, Since: e.since.String()}
		examples, _ := e.doc["example"].([]any)
		for _, x := range examples {
			ex, _ := x.(map[string]any)
			typ, _ := ex["type"].(string)
			if typ != "toml" {
				// An apiclient tab (type "shell") is kept without TOML so
				// the corpus still counts it.
				t.Examples = append(t.Examples, Example{Form: "topic_" + typ})
				continue
			}
			src, _ := ex["source"].(string)
			t.Examples = append(t.Examples, Example{Form: "topic", TOML: src})
		}
		docs.Topics = append(docs.Topics, t)
	}
	sort.Slice(docs.Topics, func(i, j int) bool {
		a, b := docs.Topics[i], docs.Topics[j]
		return a.Family < b.Family || a.Family == b.Family && a.Tag < b.Tag
	})
	return docs, nil
}

// readFile returns docs.ref.<id> and docs.tag.<name> → their entry;
// a top-level family (top_level = true, such as motd) documents itself.
func readFile(file string) (ref, tag map[string]map[string]any, err error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, nil, err
	}
	var doc map[string]any
	if err := toml.Unmarshal(b, &doc); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", file, err)
	}
	docs, _ := doc["docs"].(map[string]any)
	family := strings.TrimSuffix(filepath.Base(file), ".toml")
	refs := docs["ref"]
	top, _ := doc["top_level"].(bool)
	if list, ok := refs.([]any); ok && top {
		// A top-level family (motd) documents itself as [[docs.ref]], an
		// array the website ranges over under the family's own name
		// (settings.html, the top_level branch).
		refs = map[string]any{family: list}
	}
	if ref, err = entries(refs); err != nil {
		return nil, nil, fmt.Errorf("%s: docs.ref.%w", file, err)
	}
	if tag, err = entries(docs["tag"]); err != nil {
		return nil, nil, fmt.Errorf("%s: docs.tag.%w", file, err)
	}
	if top {
		for _, d := range ref {
			d[topLevelMark] = true
		}
	}
	return ref, tag, nil
}

const topLevelMark = "\x00top_level"

// entries keeps the table of each docs.ref/docs.tag array. The website
// lists only arrays of tables (settings.html: reflect.IsSlice); 1.14.x has
// a stray [[docs.ref.capabilities.net-admin]] that makes
// docs.ref.capabilities a table, which it skips, and so do we. Every
// snapshot so far has one table per array; the website would render a
// second one as a further setting, so a snapshot with one is refused
// rather than its examples dropped.
func entries(v any) (map[string]map[string]any, error) {
	m, _ := v.(map[string]any)
	out := map[string]map[string]any{}
	for id, x := range m {
		list, ok := x.([]any)
		if !ok || len(list) == 0 {
			continue
		}
		if len(list) > 1 {
			return nil, fmt.Errorf("%s has %d entries; only one per setting or topic is supported", id, len(list))
		}
		if first, ok := list[0].(map[string]any); ok {
			out[id] = first
		}
	}
	return out, nil
}

func setting(family, id string, since Release, doc map[string]any) (Setting, error) {
	s := Setting{Family: family, ID: id, Since: since.String()}
	s.Deprecated, _ = doc["deprecated"].(bool)
	s.AcceptedValues = acceptedValues(doc)
	if top, _ := doc[topLevelMark].(bool); !top {
		s.Path = id
		if o, ok := doc["name_override"].(string); ok && o != "" {
			s.Path = o
		}
	}
	examples, _ := doc["example"].([]any)
	for i, x := range examples {
		ex, ok := x.(map[string]any)
		if !ok {
			return s, fmt.Errorf("%s %s: example %d is not a table", family, id, i)
		}
		e, err := example(s, ex)
		if err != nil {
			return s, fmt.Errorf("%s %s: example %d: %w", family, id, i, err)
		}
		s.Examples = append(s.Examples, e)
	}
	return s, nil
}

// example renders one example as user data. The website renders a value
// example under the docs ID ("nvidia-mps-replicas = 2"); the setting's real
// key is its Path ("nvidia.mps.replicas"), which is what a node reads, so
// the path is used here, placeholders such as <name> replaced by "example".
func example(s Setting, ex map[string]any) (Example, error) {
	e := Example{}
	e.Comment, _ = ex["comment"].(string)
	switch {
	case ex["direct_toml"] != nil:
		e.Form = "direct_toml"
		e.TOML, _ = ex["direct_toml"].(string)
	case ex["multiline"] != nil:
		e.Form = "multiline"
		lines, _ := ex["multiline"].([]any)
		var b strings.Builder
		fmt.Fprintf(&b, "[%s]\n", headerPath(s))
		for _, l := range lines {
			m, _ := l.(map[string]any)
			keys := make([]string, 0, len(m))
			for k := range m {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				v, ok := m[k].(string)
				if !ok {
					return e, fmt.Errorf("multiline %s is not a string", k)
				}
				fmt.Fprintf(&b, "%s = %s\n", k, v)
			}
		}
		e.TOML = b.String()
	case ex["value"] != nil:
		e.Form = "value"
		// Hugo prints a TOML number or boolean as itself (value = 85).
		var v string
		switch x := ex["value"].(type) {
		case string:
			v = x
		case int64, bool:
			v = fmt.Sprint(x)
		default:
			return e, fmt.Errorf("value is a %T", x)
		}
		if s.Path == "" {
			e.TOML = fmt.Sprintf("[settings]\n%s = %s\n", s.Family, v)
		} else {
			e.TOML = fmt.Sprintf("[settings.%s]\n%s = %s\n", s.Family, dottedKey(placeholders(s.Path)), v)
		}
	case ex["direct_shell"] != nil:
		e.Form = "direct_shell"
	case ex["direct_yaml"] != nil:
		e.Form = "direct_yaml"
	default:
		return e, fmt.Errorf("no value, multiline, direct_toml, direct_shell or direct_yaml")
	}
	return e, nil
}

func headerPath(s Setting) string {
	return "settings." + s.Family + "." + dottedKey(placeholders(s.Path))
}

// placeholders replaces <name>-style parts of a documented path with a
// valid identifier.
func placeholders(path string) string {
	for {
		i := strings.Index(path, "<")
		j := strings.Index(path, ">")
		if i < 0 || j < i {
			return path
		}
		path = path[:i] + "example" + path[j+1:]
	}
}

// dottedKey quotes the parts of a dotted path that are not bare TOML keys.
func dottedKey(path string) string {
	parts := strings.Split(path, ".")
	for i, p := range parts {
		bare := p != ""
		for _, c := range p {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				bare = false
			}
		}
		if !bare {
			parts[i] = strconv.Quote(p)
		}
	}
	return strings.Join(parts, ".")
}
