// Command gencorpus turns every documented example of the newest Bottlerocket
// release in the committed settings documentation snapshot
// (testdata/bottlerocket-docs, see its NOTE.md) into a conformance case in
// testdata/documented-examples.json. Run by `go generate ./internal/bottlerocket`.
//
// Examples that are not user data (apiclient shell, Kubernetes YAML, an AWS
// config file) and examples of families that aws-k8s variants do not have
// are kept in the file with the reason they are skipped, so the count of
// documented examples is visible.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/pelletier/go-toml/v2"

	"github.com/stratos-sh/terraform-provider-stratos/internal/bottlerocket/internal/docsettings"
)

// Case is one documented example.
type Case struct {
	Name    string `json:"name"`
	Setting string `json:"setting"`
	Since   string `json:"since"`
	Form    string `json:"form"`
	Comment string `json:"comment,omitempty"`
	TOML    string `json:"toml,omitempty"`
	// Skip says why the example is not a user-data case.
	Skip string `json:"skip,omitempty"`
	// Erratum says how the documented text was corrected, and why.
	Erratum string `json:"erratum,omitempty"`
}

// erratum corrects a documented example that is not valid as written.
type erratum struct{ old, new, why string }

// selfSignedCA is a throwaway self-signed certificate (CN=example-ca),
// base64 of its PEM: a value Bottlerocket's PemCertificateString accepts.
const selfSignedCA = "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUJnVENDQVNlZ0F3SUJBZ0lVWVlkUGNGeXFTMGZPMDZpTEN5ZFVabG1jU3Nrd0NnWUlLb1pJemowRUF3SXcKRlRFVE1CRUdBMVVFQXd3S1pYaGhiWEJzWlMxallUQWdGdzB5TmpFeE1qa3lNRFEwTlRoYUdBOHlNVEkyTVRFdwpOVEl3TkRRMU9Gb3dGVEVUTUJFR0ExVUVBd3dLWlhoaGJYQnNaUzFqWVRCWk1CTUdCeXFHU000OUFnRUdDQ3FHClNNNDlBd0VIQTBJQUJEdVZkWUFNS0JtaDhjTWlxaCtmdGkxMy9pYnlsekRkcUY5VTlkVk1Wa3J5T1dzR2tHSWkKM1I2U3FaWk5FNWh4K3JscTU4aGtrYmdRVWVuYmZ5VCsraktqVXpCUk1CMEdBMVVkRGdRV0JCU3ZhcGV4WUZDSgp5cy9XV0hVeks4Snp2TVpRK2pBZkJnTlZIU01FR0RBV2dCU3ZhcGV4WUZDSnlzL1dXSFV6SzhKenZNWlErakFQCkJnTlZIUk1CQWY4RUJUQURBUUgvTUFvR0NDcUdTTTQ5QkFNQ0EwZ0FNRVVDSUVKS0Jhc05HTFRwU2xpRG9RMXcKVXp3L3FNQVFZekpISjNqS0ppc01NVkVMQWlFQXhPU01HYjVGdElnbU9TOGJXaytKOC9LWjY2L1VJL0RrbjFKRwpSQ0liWTNnPQotLS0tLUVORCBDRVJUSUZJQ0FURS0tLS0tCg=="

// errata, by case name. Each is a documentation slip, not a Bottlerocket
// rule: the corrected example is what the documentation means.
var errata = map[string]erratum{
	"settings.container-registry.credentials#1": {"example_base64_encoded_auth_string", "dXNlcjpwYXNzd29yZA==",
		"the auth value is a placeholder that is not base64; base64 of \"user:password\" stands in for it"},
	"settings.aws.profile#1": {"profile = myprofile", `profile = "myprofile"`,
		"the value is written as for apiclient set; in TOML a string is quoted"},
	"settings.pki.<bundle-name>.data#1": {`"W3N..."`, `"` + selfSignedCA + `"`,
		"the certificate bundle is elided (\"W3N...\"); a real base64 PEM bundle stands in for it"},
	"settings.pki.<bundle-name>.trusted#1": {`"W3N..."`, `"` + selfSignedCA + `"`,
		"the certificate bundle is elided (\"W3N...\"); a real base64 PEM bundle stands in for it"},
}

// Corpus is the generated file.
type Corpus struct {
	Source  string `json:"source"`
	Release string `json:"release"`
	Cases   []Case `json:"cases"`
}

func main() {
	in := flag.String("in", "testdata/bottlerocket-docs/settings", "settings documentation snapshot")
	out := flag.String("out", "testdata/documented-examples.json", "generated corpus")
	flag.Parse()
	if err := run(*in, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gencorpus:", err)
		os.Exit(1)
	}
}

func run(in, out string) error {
	docs, err := docsettings.Load(in)
	if err != nil {
		return err
	}
	c := Corpus{
		Source:  "bottlerocket-os/bottlerocket-project-website data/settings (testdata/bottlerocket-docs/NOTE.md)",
		Release: docs.Release.String(),
	}
	for _, s := range docs.Settings {
		for i, e := range s.Examples {
			c.Cases = append(c.Cases, newCase(fmt.Sprintf("%s#%d", s.FullName(), i+1), s.Family, s.FullName(), s.Since, e))
		}
	}
	for _, t := range docs.Topics {
		n := 0
		for _, e := range t.Examples {
			for _, part := range splitExamples(e.TOML) {
				n++
				e.TOML = part
				c.Cases = append(c.Cases, newCase(fmt.Sprintf("settings.%s topic %s#%d", t.Family, t.Tag, n), t.Family, "settings."+t.Family, t.Since, e))
			}
		}
	}
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(out, append(b, '\n'), 0o644)
}

// splitExamples splits a topic's TOML block that shows alternatives one
// after another (nvidia-cdi repeats [settings.kubelet-device-plugins.nvidia]
// five times, each after a "# ..." comment) into one example per
// alternative; a block that parses stays whole.
func splitExamples(src string) []string {
	var probe map[string]any
	if toml.Unmarshal([]byte(src), &probe) == nil {
		return []string{src}
	}
	var parts []string
	var cur []string
	blank := true
	for _, line := range strings.Split(src, "\n") {
		if strings.HasPrefix(line, "#") && blank && len(strings.TrimSpace(strings.Join(cur, ""))) > 0 {
			parts = append(parts, strings.Join(cur, "\n"))
			cur = nil
		}
		cur = append(cur, line)
		blank = strings.TrimSpace(line) == ""
	}
	return append(parts, strings.Join(cur, "\n"))
}

func newCase(name, family, setting, since string, e docsettings.Example) Case {
	c := Case{Name: name, Setting: setting, Since: since, Form: e.Form, Comment: e.Comment, TOML: e.TOML}
	// An erratum whose text the example no longer has is not recorded, so
	// TestErrataApply finds it stale after a documentation refresh.
	if fix, ok := errata[name]; ok && strings.Contains(c.TOML, fix.old) {
		c.TOML = strings.ReplaceAll(c.TOML, fix.old, fix.new)
		c.Erratum = fix.why
	}
	switch {
	case e.Form == "direct_shell" || e.Form == "topic_shell":
		c.Skip = "an apiclient shell example, not user data"
	case e.Form == "direct_yaml":
		c.Skip = "a Kubernetes YAML example, not user data"
	case docsettings.NotOnAWSK8s[family] != "":
		c.Skip = "settings." + family + ": " + docsettings.NotOnAWSK8s[family]
	case !strings.Contains(e.TOML, "[settings"):
		c.Skip = "not a settings document (an example of a file the setting carries)"
	}
	return c
}
