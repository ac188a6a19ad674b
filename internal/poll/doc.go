// Package poll is the one find/wait loop of the cloud layer: it calls a
// check on a schedule (steady, then backing off), counts "not found"
// answers against a bound, and reads time from an injected clock, as
// terraform-provider-aws's internal/tfresource/retry.go and
// internal/service/ec2/wait.go (NotFoundChecks) do for single resources.
// Callers supply what a check means: one paginated DescribeInstances for a
// whole pool, a launch template version, a retried action.
package poll
