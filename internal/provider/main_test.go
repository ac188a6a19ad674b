package provider

import (
	"testing"

	"github.com/stratos-sh/terraform-provider-stratos/internal/sandbox/sandboxtest"
)

// TestMain runs the package's tests inside one shared sandbox when TF_ACC
// (or STRATOS_SANDBOX=1) asks for it; otherwise the tests run as they are
// and the sandbox acceptance tests skip.
func TestMain(m *testing.M) { sandboxtest.Main(m) }
