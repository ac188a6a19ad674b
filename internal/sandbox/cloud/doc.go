// Package cloud is the simulated AWS side of the sandbox: one region's EC2,
// SSM and STS, served over their real wire protocols so that unmodified
// aws-sdk-go-v2 clients (serializers, deserializers, retryers, paginators,
// waiters, error types) behave as they do against AWS.
//
// A World holds the account: a VPC with three subnets (one per zone) and a
// security group tagged stratos.sh/discovery=sandbox, Bottlerocket AMIs and
// their SSM public parameters, instance types, launch templates and
// instances. Handler serves EC2 under /ec2, SSM under /ssm and STS under
// /sts (Endpoints builds the URLs); requests at other paths are routed by
// the service in their SigV4 credential scope. Any credentials are accepted.
//
// Instances move pending → running, stopping → stopped and shutting-down →
// terminated on one scheduler goroutine after the latencies in Config, and
// every transition is delivered to subscribed InstanceObservers (the node
// simulator) in order, from a goroutine per observer. Config also injects
// the faults AWS produces: insufficient capacity per zone or instance type,
// throttling, eventually consistent reads and instances that never become
// ready. AccountRules (account_rules.go) add the account-level settings and
// IAM behaviour real accounts differ in: instance metadata defaults,
// instance profile propagation, instance types not offered in a zone and
// an enforced IAM policy. Stats counts every call by action, including throttled and failed
// attempts, which is what the provider's API budgets are measured with.
package cloud
