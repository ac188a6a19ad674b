package bottlerocket

// MergeFragments merges TOML fragments under the same rules as Render and
// returns the canonical, validated document; it backs the provider function
// provider::stratos::bottlerocket_settings. Problems use
// Field=FieldCustomUserData and Index=the fragment. The size limit is not
// applied: the caller may compress or combine the text elsewhere.
func MergeFragments(fragments []string, variant string, strict bool) (string, []Problem) {
	tree, problems := build(Input{CustomUserData: fragments, Variant: variant, Strict: strict}, "fragments")
	if hasError(problems) {
		return "", problems
	}
	return emit(tree), problems
}
