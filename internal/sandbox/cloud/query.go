package cloud

import (
	"net/url"
	"strconv"
	"strings"
)

// query reads EC2 Query-protocol parameters. Lists are flattened as
// Name.1, Name.2, … and structures as Name.Member, as aws-sdk-go-v2's ec2query
// serializer writes them.
type query struct{ v url.Values }

func (q query) str(k string) string { return q.v.Get(k) }

func (q query) has(k string) bool {
	_, ok := q.v[k]
	return ok
}

// list reads prefix.1, prefix.2, … until the first gap.
func (q query) list(prefix string) []string {
	var out []string
	for i := 1; ; i++ {
		k := prefix + "." + strconv.Itoa(i)
		if !q.has(k) {
			return out
		}
		out = append(out, q.v.Get(k))
	}
}

// count returns how many indexed members prefix.N.* exist, probing with
// one of their member names (any member present counts).
func (q query) count(prefix string, members ...string) int {
	n := 0
	for i := 1; ; i++ {
		p := prefix + "." + strconv.Itoa(i)
		found := false
		for _, m := range members {
			if q.has(p+"."+m) || q.hasPrefix(p+"."+m+".") {
				found = true
				break
			}
		}
		if !found {
			return n
		}
		n++
	}
}

func (q query) hasPrefix(p string) bool {
	for k := range q.v {
		if strings.HasPrefix(k, p) {
			return true
		}
	}
	return false
}

func (q query) intParam(k string) (*int, error) {
	if !q.has(k) {
		return nil, nil
	}
	n, err := strconv.Atoi(q.v.Get(k))
	if err != nil {
		return nil, clientError("InvalidParameterValue", "Value (%s) for parameter %s is invalid. Expected an integer.", q.v.Get(k), k)
	}
	return &n, nil
}

func (q query) boolParam(k string) (*bool, error) {
	if !q.has(k) {
		return nil, nil
	}
	b, err := strconv.ParseBool(q.v.Get(k))
	if err != nil {
		return nil, clientError("InvalidParameterValue", "Value (%s) for parameter %s is invalid. Expected a boolean.", q.v.Get(k), k)
	}
	return &b, nil
}

type tag struct{ Key, Value string }

// tags reads prefix.N.Key / prefix.N.Value pairs.
func (q query) tags(prefix string) []tag {
	var out []tag
	for i := 1; ; i++ {
		p := prefix + "." + strconv.Itoa(i)
		if !q.has(p + ".Key") {
			return out
		}
		out = append(out, tag{Key: q.v.Get(p + ".Key"), Value: q.v.Get(p + ".Value")})
	}
}

type filter struct {
	Name   string
	Values []string
}

func (q query) filters() []filter {
	var out []filter
	for i := 1; ; i++ {
		p := "Filter." + strconv.Itoa(i)
		if !q.has(p + ".Name") {
			return out
		}
		out = append(out, filter{Name: q.v.Get(p + ".Name"), Values: q.list(p + ".Value")})
	}
}
