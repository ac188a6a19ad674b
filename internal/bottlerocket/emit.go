package bottlerocket

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The canonical layout, chosen so that the same settings always give the same
// bytes and so that a reviewer can read a diff of it:
//
//   - Every table holding plain values gets one [dotted.header]; tables that
//     hold only sub-tables get none (TOML creates them implicitly), and empty
//     tables are dropped.
//   - Inside a table the plain values come first, then its sub-tables, each
//     group in byte order of the keys; a parent's header precedes its
//     children's, so no table is ever defined twice.
//   - Arrays are written inline on one line; tables inside arrays (such as
//     container-registry mirrors) are written as inline tables.
//   - Keys are bare when they consist of A-Za-z0-9_- only and quoted
//     otherwise ("example.com/role"); strings are basic strings with the
//     minimal escapes TOML requires; integers stay integers.
//   - Sections are separated by one blank line; the document ends with a
//     newline.

// emit renders a pruned, validated tree. It must only see values that
// parseFragment or the typed inputs can produce.
func emit(tree map[string]any) string {
	var b strings.Builder
	emitTable(&b, nil, tree)
	return b.String()
}

func emitTable(b *strings.Builder, path []string, t map[string]any) {
	var leaves, tables []string
	for k, v := range t {
		if _, ok := v.(map[string]any); ok {
			tables = append(tables, k)
		} else {
			leaves = append(leaves, k)
		}
	}
	sort.Strings(leaves)
	sort.Strings(tables)
	if len(leaves) > 0 {
		if len(path) > 0 {
			if b.Len() > 0 {
				b.WriteByte('\n')
			}
			b.WriteString("[" + settingPath(path) + "]\n")
		}
		for _, k := range leaves {
			b.WriteString(encodeKey(k) + " = " + encodeValue(t[k]) + "\n")
		}
	}
	for _, k := range tables {
		emitTable(b, childPath(path, k), t[k].(map[string]any))
	}
}

func isBareKey(k string) bool {
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

func encodeKey(k string) string {
	if isBareKey(k) {
		return k
	}
	return encodeString(k)
}

// encodeString writes a TOML basic string. Only the characters TOML forbids
// raw are escaped, so the output is stable and readable.
func encodeString(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\b':
			b.WriteString(`\b`)
		case '\t':
			b.WriteString(`\t`)
		case '\n':
			b.WriteString(`\n`)
		case '\f':
			b.WriteString(`\f`)
		case '\r':
			b.WriteString(`\r`)
		case utf8.RuneError:
			// Invalid UTF-8 is rejected by validation before emit; a
			// literal U+FFFD is written as itself.
			b.WriteRune(r)
		default:
			if r < 0x20 || r == 0x7f {
				fmt.Fprintf(&b, `\u%04X`, r)
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}

func encodeValue(v any) string {
	switch x := v.(type) {
	case string:
		return encodeString(x)
	case bool:
		return strconv.FormatBool(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return encodeFloat(x)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = encodeValue(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]any:
		keys := sortedKeys(x)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = encodeKey(k) + " = " + encodeValue(x[k])
		}
		if len(parts) == 0 {
			return "{}"
		}
		return "{ " + strings.Join(parts, ", ") + " }"
	default:
		// Validation rejects every other type (datetimes) before emit.
		panic(fmt.Sprintf("bottlerocket: cannot emit %T", v))
	}
}

// encodeFloat keeps floats floats: 1.0 must not come back as the integer 1.
func encodeFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return "nan"
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	s := strconv.FormatFloat(f, 'g', -1, 64)
	if !strings.ContainsAny(s, ".e") {
		s += ".0"
	}
	return s
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
