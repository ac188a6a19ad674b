package bottlerocket

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/pelletier/go-toml/v2"
)

// The model mirrors Bottlerocket's settings structs: every struct rejects
// unknown fields (serde deny_unknown_fields) and every value is strictly
// typed when the TOML is turned into JSON. A schema describes one value.

type kind int

const (
	kindTable  kind = iota // a struct with known fields
	kindMap                // user-chosen keys with one value schema
	kindString             // a string, optionally with a rule
	kindInt                // an integer within [min, max]
	kindBool               // a boolean
	kindList               // an array of elem
	kindAny                // any value; used where the inner schema is not known
	kindCustom             // checked entirely by check
)

type schema struct {
	kind kind
	// what names the type in messages: "u32", "base64 string", "table" …
	what string

	fields map[string]*fieldSchema // kindTable
	// ignoresUnknown tables are Bottlerocket structs without serde's
	// deny_unknown_fields: an unknown key is dropped, not refused, so it is
	// a warning (the user's setting is lost) whatever strict says.
	ignoresUnknown bool

	keyRule stringRule // kindMap: rule for each key
	// keyDoubt is a further rule for each key whose findings are doubts
	// (the kubelet's rule where Bottlerocket's own type is looser).
	keyDoubt stringRule
	// keyEnum lists the keys of one of Bottlerocket's enums (kube-reserved
	// resources, eviction signals, capabilities); values lists the members
	// of a string enum. Bottlerocket adds members in new releases (pid in
	// 1.49, "mps" in 1.54), so outside them a key or value is certain to
	// fail up to ModelRelease and a doubt on a newer AMI (beyondModel).
	keyEnum []string // kindMap
	values  []string // kindString
	elem    *schema  // kindMap values, kindList elements

	rule     stringRule // kindString
	min, max int64      // kindInt

	// check validates the whole value for kindCustom, and runs after the
	// type check for other kinds (cross-key rules).
	check func(v *validator, val any, path []string)

	// aliases maps a serde alias Bottlerocket also accepts to the field
	// name (kindTable), e.g. boot "kernel" → "kernel-parameters".
	aliases map[string]string
	// required fields of a table: Bottlerocket's struct has them without
	// Option, so an entry without them does not deserialize.
	required []string
	// keySince gives the release that introduced a key of a kindMap with
	// keyEnum, and valueSince the release that introduced a value of a
	// string enum; absent means "as old as the family".
	keySince   map[string]string
	valueSince map[string]string
	// policy marks a rule of this provider beyond Bottlerocket's own
	// model (the kubelet's, or a documented range not in the model): with
	// strict = false its findings are warnings.
	policy bool
	// doubt is a further rule for kindString whose findings are doubts
	// (the kubelet's rule where Bottlerocket's is looser).
	doubt stringRule
}

type fieldSchema struct {
	*schema
	// nvidiaOnly fields exist only in the aws-k8s-*-nvidia settings model.
	nvidiaOnly bool
	// minMinor is the first Kubernetes 1.x minor whose kubelet uses the
	// field; older aws-k8s variants accept it and ignore it.
	minMinor int
	// since is the Bottlerocket release that introduced the field, such as
	// "1.44.0"; "" means it is as old as the oldest release the settings
	// documentation covers (1.15), older than any AMI this provider meets.
	since string
}

func field(s *schema) *fieldSchema { return &fieldSchema{schema: s} }

// added is a field introduced in a Bottlerocket release.
func added(release string, s *schema) *fieldSchema { return &fieldSchema{schema: s, since: release} }

// withAliases adds serde aliases to a table.
func withAliases(s *schema, aliases map[string]string) *schema {
	s.aliases = aliases
	return s
}

// withRequired marks required fields of a table.
func withRequired(s *schema, names ...string) *schema {
	s.required = names
	return s
}

func table(fields map[string]*fieldSchema) *schema {
	return &schema{kind: kindTable, what: "table", fields: fields}
}

// plainStructTable is a Bottlerocket struct without serde's
// deny_unknown_fields: an unknown key is dropped, which is a warning.
func plainStructTable(fields map[string]*fieldSchema) *schema {
	s := table(fields)
	s.ignoresUnknown = true
	return s
}

func mapOf(keyRule stringRule, elem *schema) *schema {
	return &schema{kind: kindMap, what: "table", keyRule: keyRule, elem: elem}
}

func enumMapOf(keys []string, elem *schema) *schema {
	return &schema{kind: kindMap, what: "table", keyEnum: keys, elem: elem}
}

func listOf(elem *schema) *schema {
	return &schema{kind: kindList, what: "array of " + elem.what, elem: elem}
}

func str(rules ...stringRule) *schema {
	return &schema{kind: kindString, what: "string", rule: allRules(rules...)}
}

func strNamed(what string, rules ...stringRule) *schema {
	s := str(rules...)
	s.what = what
	return s
}

// quantityString is Bottlerocket's KubernetesQuantityValue, with the
// kubelet's stricter parse as a doubt.
func quantityString() *schema {
	s := strNamed("quantity string", ruleQuantity)
	s.doubt = ruleKubeletQuantity
	return s
}

// thresholdString is Bottlerocket's KubernetesThresholdValue.
func thresholdString() *schema {
	s := strNamed("threshold string", ruleEvictionThreshold)
	s.doubt = func(x string) string {
		if strings.HasSuffix(x, "%") {
			return ""
		}
		return ruleKubeletQuantity(x)
	}
	return s
}

func enum(values ...string) *schema {
	s := strNamed("string")
	s.values = values
	return s
}

// enumSince is an enum some of whose values a later release added.
func enumSince(values []string, since map[string]string) *schema {
	s := enum(values...)
	s.valueSince = since
	return s
}

func intRange(what string, lo, hi int64) *schema {
	return &schema{kind: kindInt, what: what, min: lo, max: hi}
}

func u8() *schema  { return intRange("u8 integer", 0, math.MaxUint8) }
func u32() *schema { return intRange("u32 integer", 0, math.MaxUint32) }
func i32() *schema { return intRange("i32 integer", math.MinInt32, math.MaxInt32) }
func i64() *schema { return intRange("i64 integer", math.MinInt64, math.MaxInt64) }

func nonNegI32() *schema { return intRange("non-negative i32 integer", 0, math.MaxInt32) }

func boolean() *schema { return &schema{kind: kindBool, what: "boolean"} }

func anyValue() *schema { return &schema{kind: kindAny, what: "value"} }

func custom(what string, check func(v *validator, val any, path []string)) *schema {
	return &schema{kind: kindCustom, what: what, check: check}
}

// typeName names the TOML type of a decoded value for messages.
func typeName(v any) string {
	switch x := v.(type) {
	case string:
		return fmt.Sprintf("string %s", encodeString(x))
	case int64:
		return fmt.Sprintf("integer %d", x)
	case float64:
		return fmt.Sprintf("float %s", encodeFloat(x))
	case bool:
		return fmt.Sprintf("boolean %t", x)
	case []any:
		return "array"
	case map[string]any:
		return "table"
	case toml.LocalDate, toml.LocalTime, toml.LocalDateTime, time.Time:
		return fmt.Sprintf("date-time %v", v)
	default:
		return fmt.Sprintf("TOML %T", v)
	}
}

// withArticle prefixes a type description with "a" or "an".
func withArticle(what string) string {
	if what == "" {
		return what
	}
	if strings.ContainsRune("aeioAEIO", rune(what[0])) {
		return "an " + what
	}
	return "a " + what
}
