package bottlerocket

import "errors"

// TEMPORARY scaffold so dependants compile; the bottlerocket work replaces this file.

// Render merges, validates and renders in. Problems may hold warnings even
// when the Document is returned; the Document is nil when any error exists.
func Render(in Input) (*Document, []Problem) {
	return nil, []Problem{{Severity: SeverityError, Index: -1, Summary: "not implemented", Detail: errors.New("scaffold").Error()}}
}

// MergeFragments merges TOML fragments under the same rules as Render and
// returns the canonical, validated TOML document.
func MergeFragments(fragments []string, variant string, strict bool) (string, []Problem) {
	return "", []Problem{{Severity: SeverityError, Index: -1, Summary: "not implemented"}}
}
