package bottlerocket

import (
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// Base64 of a short PEM-looking text; its content does not matter to the
// renderer, only that it is valid base64.
const testCA = "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUMvakNDQWVhZ0F3SUJBZ0lCQURBTkJna3Foa2lHOXcwQkFRc0ZBREFWTVJNd0VRWURWUVFERXdwcmRXSmwKLS0tLS1FTkQgQ0VSVElGSUNBVEUtLS0tLQo="

const testAPIServer = "https://0123456789ABCDEF0123456789ABCDEF.gr7.us-east-1.eks.amazonaws.com"

func int64p(v int64) *int64 { return &v }

// identity is the cluster identity the warm pool always passes.
func identity(in Input) Input {
	in.ClusterName = "demo"
	in.APIServer = testAPIServer
	in.ClusterCertificate = testCA
	return in
}

// want describes one expected Problem; empty fields are not compared,
// except Index, which is always compared.
type want struct {
	sev     Severity
	field   Field
	index   int
	key     string
	setting string
	// detail must be a substring of Summary+Detail.
	detail string
}

func errAt(field Field, index int, setting, detail string) want {
	return want{sev: SeverityError, field: field, index: index, setting: setting, detail: detail}
}

func errKey(field Field, key, setting, detail string) want {
	return want{sev: SeverityError, field: field, index: -1, key: key, setting: setting, detail: detail}
}

func warnAt(field Field, index int, setting, detail string) want {
	return want{sev: SeverityWarning, field: field, index: index, setting: setting, detail: detail}
}

func (w want) matches(p Problem) bool {
	return p.Severity == w.sev && p.Field == w.field && p.Index == w.index &&
		(w.key == "" || p.Key == w.key) &&
		(w.setting == "" || p.Setting == w.setting) &&
		strings.Contains(p.Summary+" "+p.Detail, w.detail)
}

// assertProblems requires exactly the wanted problems, in any order.
func assertProblems(t *testing.T, got []Problem, wants ...want) {
	t.Helper()
	used := make([]bool, len(got))
	for _, w := range wants {
		found := false
		for i, p := range got {
			if !used[i] && w.matches(p) {
				used[i], found = true, true
				break
			}
		}
		if !found {
			t.Errorf("missing problem %+v", w)
		}
	}
	for i, p := range got {
		if !used[i] {
			t.Errorf("unexpected problem: %s", dumpProblem(p))
		}
	}
}

func dumpProblem(p Problem) string {
	sev := "error"
	if p.Severity == SeverityWarning {
		sev = "warning"
	}
	return sev + " field=" + string(p.Field) + " index=" + strconv.Itoa(p.Index) + " key=" + p.Key + " setting=" + p.Setting + "\n  " + p.Summary + "\n  " + p.Detail
}

// mustRender renders in and fails the test on any error problem.
func mustRender(t *testing.T, in Input) *Document {
	t.Helper()
	doc, problems := Render(in)
	for _, p := range problems {
		if p.Severity == SeverityError {
			t.Errorf("unexpected %s", dumpProblem(p))
		}
	}
	if doc == nil {
		t.Fatalf("Render returned no document")
	}
	return doc
}

// golden compares got with testdata/<name>.golden, rewriting it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatalf("write %s: %v", path, err)
		}
		return
	}
	wantBytes, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read %s (run go test -update to create it): %v", path, err)
	}
	if string(wantBytes) != got {
		t.Errorf("%s differs from the rendered document (go test -update rewrites it)\n--- want\n%s\n--- got\n%s", path, wantBytes, got)
	}
}

// assertFragmentFinding renders a custom_user_data fragment with strict on
// and off: the finding is an error when strict, and when not, an error if
// it is certain to fail at boot, a warning if it is a doubt of the model.
func assertFragmentFinding(t *testing.T, frag, setting, detail string, certain bool) {
	t.Helper()
	_, problems := Render(Input{Strict: true, CustomUserData: []string{frag}})
	assertProblems(t, problems, errAt(FieldCustomUserData, 0, setting, detail))
	_, problems = Render(Input{CustomUserData: []string{frag}})
	if certain {
		assertProblems(t, problems, errAt(FieldCustomUserData, 0, setting, detail))
	} else {
		assertProblems(t, problems, warnAt(FieldCustomUserData, 0, setting, detail))
	}
}
