package bottlerocket

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// documentedCase is one entry of testdata/documented-examples.json, which
// internal/gencorpus generates from Bottlerocket's settings documentation.
type documentedCase struct {
	Name    string `json:"name"`
	Setting string `json:"setting"`
	Since   string `json:"since"`
	Form    string `json:"form"`
	TOML    string `json:"toml"`
	Skip    string `json:"skip"`
}

type documentedCorpus struct {
	Release string           `json:"release"`
	Cases   []documentedCase `json:"cases"`
}

func loadDocumentedCorpus(t *testing.T) documentedCorpus {
	t.Helper()
	b, err := os.ReadFile("testdata/documented-examples.json")
	if err != nil {
		t.Fatal(err)
	}
	var c documentedCorpus
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// newestVariant is the variant the documented examples are checked on: the
// nvidia flavour for examples of its own tables.
func newestVariant(doc string) string {
	if strings.Contains(doc, "kubelet-device-plugins") || strings.Contains(doc, "nvidia-container-runtime") {
		return "aws-k8s-1.35-nvidia"
	}
	return "aws-k8s-1.35"
}

// TestDocumentedExamplesValidate: every documented TOML example of the
// newest Bottlerocket release renders with strict = true, without a
// warning, on the newest variant: with no AMI release known (the newest
// model), and on an AMI of the release whose documentation first shows the
// example, so no setting, map key or enum value in it records a later
// release than its documentation.
func TestDocumentedExamplesValidate(t *testing.T) {
	c := loadDocumentedCorpus(t)
	validated, skipped := 0, 0
	for _, tc := range c.Cases {
		if tc.Skip != "" {
			skipped++
			continue
		}
		documented := strings.TrimSuffix(tc.Since, ".x") + ".0"
		t.Run(tc.Name, func(t *testing.T) {
			for _, release := range []string{"", documented} {
				_, problems := Render(Input{CustomUserData: []string{tc.TOML}, Variant: newestVariant(tc.TOML), Strict: true, BottlerocketRelease: release})
				for _, p := range problems {
					t.Errorf("release %q: %s: %s: %s\n%s", release, p.Setting, p.Summary, p.Detail, tc.TOML)
				}
			}
		})
		validated++
	}
	if validated < 50 {
		t.Fatalf("only %d documented examples validated; the corpus is incomplete", validated)
	}
	t.Logf("Bottlerocket %s: %d documented examples validated, %d not user data or not for aws-k8s", c.Release, validated, skipped)
}
