package provider

import "os"

// Environment variables that ask for provider logs: Terraform's own, read by
// the provider process it starts, and terraform-plugin-go's and
// terraform-plugin-framework's, read by the provider itself.
var providerLogVariables = []string{"TF_LOG", "TF_LOG_PROVIDER", "TF_LOG_PROVIDER_STRATOS", "TF_LOG_SDK", "TF_LOG_SDK_FRAMEWORK"}

// frameworkLogVariable sets the level of terraform-plugin-framework's own logs.
const frameworkLogVariable = "TF_LOG_SDK_FRAMEWORK"

// QuietFrameworkLogs turns terraform-plugin-framework's own logs off when
// nobody asked for provider logs. The framework writes a debug or trace line
// for nearly every value it walks: tens of thousands for a plan of a
// 1,000-instance pool, each one encoded by the provider and parsed by
// Terraform only to be discarded when TF_LOG is unset — a third of such a
// plan's time (make bench). With any of the variables above set, nothing
// changes: TF_LOG=debug still shows every framework line.
func QuietFrameworkLogs() {
	quietFrameworkLogs(os.LookupEnv, os.Setenv)
}

func quietFrameworkLogs(lookup func(string) (string, bool), set func(string, string) error) bool {
	for _, name := range providerLogVariables {
		if _, ok := lookup(name); ok {
			return false
		}
	}
	return set(frameworkLogVariable, "off") == nil
}
