package cloud

import (
	"sort"
	"strings"
)

// validateFilters rejects filter names a resource does not support, as EC2
// does, before any resource is looked at.
func validateFilters(fs []filter, known map[string]bool) error {
	for _, f := range fs {
		if strings.HasPrefix(f.Name, "tag:") || known[f.Name] {
			continue
		}
		return clientError("InvalidParameterValue", "The filter '%s' is invalid", f.Name)
	}
	return nil
}

// tagFilterNames are accepted by every resource with tags.
var tagFilterNames = map[string]bool{"tag-key": true, "tag-value": true}

func withTagFilters(names ...string) map[string]bool {
	m := map[string]bool{}
	for k := range tagFilterNames {
		m[k] = true
	}
	for _, n := range names {
		m[n] = true
	}
	return m
}

// matchFilters applies EC2 filter semantics: filters AND together, the
// values of one filter OR together, values may use * and ? wildcards.
// attr returns the resource's values for a non-tag filter name.
func matchFilters(fs []filter, tags map[string]string, attr func(name string) []string) bool {
	for _, f := range fs {
		var have []string
		switch {
		case strings.HasPrefix(f.Name, "tag:"):
			v, ok := tags[strings.TrimPrefix(f.Name, "tag:")]
			if !ok {
				return false
			}
			have = []string{v}
		case f.Name == "tag-key":
			for k := range tags {
				have = append(have, k)
			}
		case f.Name == "tag-value":
			for _, v := range tags {
				have = append(have, v)
			}
		default:
			have = attr(f.Name)
		}
		if !anyMatch(f.Values, have) {
			return false
		}
	}
	return true
}

func anyMatch(patterns, values []string) bool {
	for _, p := range patterns {
		for _, v := range values {
			if globMatch(p, v) {
				return true
			}
		}
	}
	return false
}

// globMatch matches EC2 filter wildcards: * any run of characters, ? any
// single character.
func globMatch(pattern, s string) bool {
	if !strings.ContainsAny(pattern, "*?") {
		return pattern == s
	}
	p, v := 0, 0
	star, mark := -1, 0
	for v < len(s) {
		switch {
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == s[v]):
			p++
			v++
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, v
			p++
		case star >= 0:
			p = star + 1
			mark++
			v = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

// xmlTags renders tags sorted by key, as stable output helps diffs and tests.
func xmlTags(tags map[string]string) []xmlTag {
	if len(tags) == 0 {
		return nil
	}
	out := make([]xmlTag, 0, len(tags))
	for k, v := range tags {
		out = append(out, xmlTag{Key: k, Value: v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

type xmlTag struct {
	Key   string `xml:"key"`
	Value string `xml:"value"`
}
