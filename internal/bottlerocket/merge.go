package bottlerocket

import (
	"fmt"
	"math"
)

// merger deep-merges inputs into one tree. There is no precedence: a leaf
// given twice must have the same value both times, because any rule that
// picks one (last wins, typed wins) silently drops what a user wrote.
type merger struct {
	tree map[string]any
	// origins maps every path in tree (tables and leaves) to the input that
	// first created it.
	origins  map[string]source
	problems []Problem
}

func newMerger() *merger {
	return &merger{tree: map[string]any{}, origins: map[string]source{}}
}

// set merges one value given by a typed attribute.
func (m *merger) set(path []string, value any, src source) {
	var v any = value
	for i := len(path) - 1; i >= 1; i-- {
		v = map[string]any{path[i]: v}
	}
	m.merge(m.tree, nil, map[string]any{path[0]: v}, src)
}

func (m *merger) has(path []string) bool {
	_, ok := m.origins[pathKey(path)]
	return ok
}

// merge merges src into dst, which sits at path in the merged tree.
func (m *merger) merge(dst map[string]any, path []string, src map[string]any, s source) {
	for _, k := range sortedKeys(src) {
		p := childPath(path, k)
		nv := src[k]
		ov, exists := dst[k]
		nt, newIsTable := nv.(map[string]any)
		if !exists {
			m.origins[pathKey(p)] = s
			if newIsTable {
				t := map[string]any{}
				dst[k] = t
				m.merge(t, p, nt, s)
			} else {
				dst[k] = nv
			}
			continue
		}
		ot, oldIsTable := ov.(map[string]any)
		switch {
		case oldIsTable && newIsTable:
			m.merge(ot, p, nt, s)
		case !oldIsTable && !newIsTable && equalValues(ov, nv):
		default:
			first := m.origins[pathKey(p)]
			m.problems = append(m.problems, errorProblem(s, p, "Conflicting values for "+settingPath(p),
				fmt.Sprintf("%s is %s in %s and %s in %s. Set it in one place or give both the same value: no input takes precedence over another.",
					settingPath(p), formatValue(ov), first, formatValue(nv), s)))
		}
	}
}

func formatValue(v any) string {
	if _, ok := v.(map[string]any); ok {
		return "a table"
	}
	if s, ok := v.(string); ok {
		return encodeString(s)
	}
	switch v.(type) {
	case int64, float64, bool, []any:
		return encodeValue(v)
	}
	return typeName(v)
}

// equalValues compares decoded TOML values exactly: same type, same value
// (an integer 110 and a float 110.0 differ, as they do to Bottlerocket).
func equalValues(a, b any) bool {
	switch x := a.(type) {
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !equalValues(x[i], y[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, xv := range x {
			yv, ok := y[k]
			if !ok || !equalValues(xv, yv) {
				return false
			}
		}
		return true
	case float64:
		y, ok := b.(float64)
		return ok && math.Float64bits(x) == math.Float64bits(y)
	case string, int64, bool:
		return a == b
	default:
		// Datetimes and other values: compare by their printed form; they
		// are refused by validation anyway.
		return fmt.Sprintf("%T %v", a, a) == fmt.Sprintf("%T %v", b, b)
	}
}

// prune drops empty tables, which carry no settings; tables inside arrays
// are values and are kept.
func prune(t map[string]any) {
	for k, v := range t {
		if sub, ok := v.(map[string]any); ok {
			prune(sub)
			if len(sub) == 0 {
				delete(t, k)
			}
		}
	}
}
