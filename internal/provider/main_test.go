package provider

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/stratos-sh/terraform-provider-stratos/internal/sandbox/cloud"
	"github.com/stratos-sh/terraform-provider-stratos/internal/sandbox/sandboxtest"
)

// TestMain runs the package's tests inside one shared sandbox when TF_ACC
// (or STRATOS_SANDBOX=1) asks for it; otherwise the tests run as they are
// and the sandbox acceptance tests skip. The sandbox enforces the IAM
// policy the IAM guide documents, read from the very file the guide
// includes, so a call the policy lacks fails the acceptance tests.
func TestMain(m *testing.M) {
	policy, err := documentedPolicyConfig(providerPolicyFile)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	sandboxtest.Main(m, sandboxtest.WithConfig(policy))
}

// The policies of docs/guides/iam-permissions.md (templates/guides/iam-permissions.md.tmpl).
const (
	providerPolicyFile    = "../../examples/iam/stratos-provider.json"
	runningOnlyPolicyFile = "../../examples/iam/stratos-running-only.json"
)

// testNodeRole is the role of the instance profile the acceptance tests'
// node classes name (the sandbox gives a profile it was not told about a
// role of the same name).
const testNodeRole = "stratos-nodes"

// documentedPolicyConfig reads a documented policy, fills in the
// placeholders the guide asks readers to replace, and returns it as a
// partial sandbox config.
func documentedPolicyConfig(file string) (string, error) {
	raw, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("read documented IAM policy: %w", err)
	}
	doc := strings.NewReplacer("ACCOUNT_ID", cloud.AccountID, "NODE_ROLE_NAME", testNodeRole).Replace(string(raw))
	var policy cloud.IAMPolicy
	if err := json.Unmarshal([]byte(doc), &policy); err != nil {
		return "", fmt.Errorf("%s: %w", file, err)
	}
	out, err := json.Marshal(map[string]json.RawMessage{"iam_policy": json.RawMessage(doc)})
	return string(out), err
}
