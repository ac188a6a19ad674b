package bottlerocket

import (
	"strings"
	"testing"
)

func TestRender_InvalidTOML(t *testing.T) {
	cases := []struct {
		name     string
		fragment string
		detail   string
	}{
		{"second [settings.kubernetes] header", "[settings.kubernetes]\nmax-pods = 1\n\n[settings.kubernetes]\ncluster-name = \"a\"\n", "line 4, column 2: toml: table kubernetes already exists"},
		{"duplicate key", "[settings.kubernetes]\nmax-pods = 1\nmax-pods = 2\n", "line 3, column 1"},
		{"shell script", "#!/bin/bash\n/etc/eks/bootstrap.sh demo\n", "line 2, column 1"},
		{"MIME multipart", "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"//\"\n", "line 1, column 13: toml: expected '=' after key"},
		{"unquoted key with slash", "[settings.kubernetes.node-labels]\nbottlerocket.aws/platform = \"x\"\n", "line 2"},
		{"unterminated string", "settings.motd = \"hi\n", "line 1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			doc, problems := Render(Input{Strict: true, CustomUserData: []string{"settings.motd = \"ok\"\n", tc.fragment}})
			if doc != nil {
				t.Fatalf("invalid TOML rendered:\n%s", doc.TOML)
			}
			assertProblems(t, problems, errAt(FieldCustomUserData, 1, "", tc.detail))
		})
	}
}

func TestRender_InvalidTOMLQuotesTheLine(t *testing.T) {
	_, problems := Render(Input{CustomUserData: []string{"[settings.kubernetes]\nmax-pods: 110\n"}})
	assertProblems(t, problems, errAt(FieldCustomUserData, 0, "", "2| max-pods: 110"))
}

func TestParseHint(t *testing.T) {
	_, problems := Render(Input{CustomUserData: []string{"[settings.kubernetes]\n[settings.kubernetes]\n"}})
	assertProblems(t, problems, errAt(FieldCustomUserData, 0, "", "may appear only once in a TOML document; put the extra settings under the existing header."))
	// custom_user_data is one string: no element index, no "another element".
	for _, p := range problems {
		if text := p.Summary + p.Detail; strings.Contains(text, "custom_user_data[") || strings.Contains(text, "element") {
			t.Errorf("problem speaks of custom_user_data as a list: %s", text)
		}
	}
	_, problems = Render(Input{CustomUserData: []string{"#!/bin/sh\nset -e\n"}})
	assertProblems(t, problems, errAt(FieldCustomUserData, 0, "", "shell scripts and MIME multipart are not supported"))
}
