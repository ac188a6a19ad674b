package bottlerocket

import (
	"strings"
	"unicode"
)

// suggest returns the known key the user most likely meant, or "". It
// compares kebab-cased forms (maxPods and max_pods both become max-pods)
// by edit distance, and also accepts a candidate that merely adds a prefix
// or suffix word ("labels" → "node-labels", "memory" → "memory.available"),
// the commonest near miss.
func suggest(key string, candidates []string) string {
	want := kebab(key)
	if want == "" {
		return ""
	}
	// An affix match counts as distance 1; among equally near candidates
	// the smaller plain edit distance wins ("defer-madvise" is nearer to
	// "defer+madvise" than to its leading word "defer"), then the name.
	best, bestDist, bestEdit := "", -1, 0
	for _, c := range candidates {
		edit := levenshtein(want, c)
		d := edit
		if affixOf(want, c) || affixOf(c, want) {
			d = min(d, 1)
		}
		if bestDist < 0 || d < bestDist || d == bestDist && (edit < bestEdit || edit == bestEdit && c < best) {
			best, bestDist, bestEdit = c, d, edit
		}
	}
	limit := max(2, len(want)/3)
	if bestDist < 0 || bestDist > limit {
		return ""
	}
	return best
}

// affixOf reports whether short is a whole leading or trailing word of
// long: "labels" of "node-labels", "memory" of "memory.available".
func affixOf(short, long string) bool {
	for _, sep := range []string{"-", "."} {
		if strings.HasPrefix(long, short+sep) || strings.HasSuffix(long, sep+short) {
			return true
		}
	}
	return false
}

// kebab turns camelCase and snake_case into Bottlerocket's kebab-case.
func kebab(s string) string {
	var b strings.Builder
	prevLower := false
	for _, r := range s {
		switch {
		case r == '_' || r == ' ':
			b.WriteByte('-')
			prevLower = false
		case unicode.IsUpper(r):
			if prevLower {
				b.WriteByte('-')
			}
			b.WriteRune(unicode.ToLower(r))
			prevLower = false
		default:
			b.WriteRune(r)
			prevLower = unicode.IsLower(r) || unicode.IsDigit(r)
		}
	}
	return b.String()
}

// levenshtein is the classic edit distance over runes.
func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
