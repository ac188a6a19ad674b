package provider

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"regexp"
	"testing"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/smithy-go"
	tfresource "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/stratos-sh/terraform-provider-stratos/internal/sandbox/cloud"
	"github.com/stratos-sh/terraform-provider-stratos/internal/sandbox/sandboxtest"
)

// useDocumentedPolicy makes the sandbox enforce one of the documented
// policies from now on (until the next call or the end of the test).
func useDocumentedPolicy(t *testing.T, file string) {
	t.Helper()
	partial, err := documentedPolicyConfig(file)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sandboxtest.Get(t).UpdateConfig([]byte(partial)); err != nil {
		t.Fatalf("apply %s: %v", file, err)
	}
}

// TestAccIAMPolicy_documentedPolicyIsEnforced proves the acceptance tests
// run under the guide's policy: the sandbox holds exactly that document and
// refuses an EC2 action it does not list.
func TestAccIAMPolicy_documentedPolicyIsEnforced(t *testing.T) {
	sb := sandboxtest.Get(t)
	partial, err := documentedPolicyConfig(providerPolicyFile)
	if err != nil {
		t.Fatal(err)
	}
	var want struct {
		IAMPolicy *cloud.IAMPolicy `json:"iam_policy"`
	}
	if err := json.Unmarshal([]byte(partial), &want); err != nil {
		t.Fatal(err)
	}
	if got := sb.World().Config().IAMPolicy; !reflect.DeepEqual(got, want.IAMPolicy) {
		t.Fatalf("the sandbox enforces %+v, not the documented policy %+v", got, want.IAMPolicy)
	}
	cfg, err := awsconfig.LoadDefaultConfig(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	_, err = ec2.NewFromConfig(cfg).DescribeInstanceTypes(context.Background(), &ec2.DescribeInstanceTypesInput{})
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "UnauthorizedOperation" {
		t.Fatalf("DescribeInstanceTypes, which the policy does not list: %v, want UnauthorizedOperation", err)
	}
}

// TestAccIAMPolicy_runningOnly: a job holding only the narrower policy can
// change running (starting, stopping, launching to refill standby with the
// node role passed) but cannot change the node class.
func TestAccIAMPolicy_runningOnly(t *testing.T) {
	nc := newNCConfig(t).with(`iam_instance_profile = "` + testNodeRole + `"`)
	t.Cleanup(func() { useDocumentedPolicy(t, providerPolicyFile) })
	tfresource.Test(t, tfresource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkPoolDestroyed(t, nc.Name),
		Steps: []tfresource.TestStep{
			{Config: poolConfig(nc, 1, ""), ConfigStateChecks: []statecheck.StateCheck{standbyCount(t, nc.Name, 1)}},
			{
				PreConfig:         func() { useDocumentedPolicy(t, runningOnlyPolicyFile) },
				Config:            poolConfig(nc, 1, "running = 1"),
				ConfigStateChecks: []statecheck.StateCheck{runningIs(1), runningCount(t, nc.Name, 1), standbyCount(t, nc.Name, 1)},
				Check:             checkLivePool(t, nc.Name, 2),
			},
			{
				// A change that needs a new launch template version.
				Config:      poolConfig(nc.with(`iam_instance_profile = "`+testNodeRole+`"`+"\n  max_pods = 30"), 1, "running = 1"),
				ExpectError: regexp.MustCompile(`UnauthorizedOperation`),
			},
			{
				PreConfig:         func() { useDocumentedPolicy(t, providerPolicyFile) },
				Config:            poolConfig(nc, 1, "running = 0"),
				ConfigStateChecks: []statecheck.StateCheck{runningIs(0), standbyCount(t, nc.Name, 1)},
			},
		},
	})
}
