package bottlerocket

import "testing"

func TestMergeFragments(t *testing.T) {
	got, problems := MergeFragments([]string{
		"[settings.kubernetes]\nmax-pods = 58\n",
		"[settings.kubernetes]\nallowed-unsafe-sysctls = [\"net.core.somaxconn\"]\n[settings.kubernetes.node-taints]\na = \"b:NO_SCHEDULE\"\n",
		"",
	}, "aws-k8s-1.32", true)
	assertProblems(t, problems)
	golden(t, "merge-fragments", got)

	got, problems = MergeFragments([]string{"settings.kubernetes.max-pods = 1\n", "settings.kubernetes.max-pods = 2\n"}, "", true)
	if got != "" {
		t.Errorf("conflict returned a document")
	}
	assertProblems(t, problems, errAt(FieldCustomUserData, 1, "settings.kubernetes.max-pods", "is 1 in fragments[0] and 2 in fragments[1]"))

	_, problems = MergeFragments([]string{"[settings.kubernetes]\n[settings.kubernetes]\n"}, "", true)
	assertProblems(t, problems, errAt(FieldCustomUserData, 0, "", "fragments[0] is not valid TOML: line 2"))

	got, problems = MergeFragments([]string{"settings.kubernetes.labels.a = \"b\"\n"}, "", false)
	if got != "[settings.kubernetes.labels]\na = \"b\"\n" {
		t.Errorf("lenient merge = %q", got)
	}
	assertProblems(t, problems, warnAt(FieldCustomUserData, 0, "settings.kubernetes.labels", `Did you mean "node-labels"?`))

	_, problems = MergeFragments(nil, "bogus", true)
	assertProblems(t, problems, errAt(FieldVariant, -1, "", `variant "bogus"`))
}

// MergeFragments does not apply the EC2 size limit: its text may be
// compressed or combined elsewhere.
func TestMergeFragments_NoSizeLimit(t *testing.T) {
	in := incompressibleInput()
	got, problems := MergeFragments(in.CustomUserData, "", true)
	assertProblems(t, problems)
	if len(got) <= MaxUserDataBytes {
		t.Fatalf("test input too small: %d", len(got))
	}
}
