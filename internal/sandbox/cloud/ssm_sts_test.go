package cloud_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
)

func TestSSMGetParameter(t *testing.T) {
	e := newEnv(t, fastConfig())
	ctx := context.Background()
	want, _ := e.world.ImageID("aws-k8s-1.32", "x86_64")
	out, err := e.ssm.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/aws/service/bottlerocket/aws-k8s-1.32/x86_64/latest/image_id")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.Parameter.Value) != want || out.Parameter.Version != 1 || out.Parameter.LastModifiedDate == nil {
		t.Fatalf("parameter %+v, want value %s", out.Parameter, want)
	}
	ver, err := e.ssm.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/aws/service/bottlerocket/aws-k8s-1.33-nvidia/arm64/latest/image_version")})
	if err != nil || !strings.HasPrefix(aws.ToString(ver.Parameter.Value), "1.64.0-") {
		t.Fatalf("image_version: %v %+v", err, ver)
	}
	_, err = e.ssm.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/aws/service/bottlerocket/aws-k8s-1.20/x86_64/latest/image_id")})
	expectCode(t, err, "ParameterNotFound")
}

func TestSSMGetParameters(t *testing.T) {
	e := newEnv(t, fastConfig())
	out, err := e.ssm.GetParameters(context.Background(), &ssm.GetParametersInput{Names: []string{
		"/aws/service/bottlerocket/aws-k8s-1.31/arm64/latest/image_id",
		"/aws/service/bottlerocket/aws-k8s-1.31/arm64/1.29.0/image_id",
		"/aws/service/bottlerocket/aws-k8s-9.99/arm64/latest/image_id",
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Parameters) != 2 || len(out.InvalidParameters) != 1 || out.InvalidParameters[0] != "/aws/service/bottlerocket/aws-k8s-9.99/arm64/latest/image_id" {
		t.Fatalf("parameters %d, invalid %v", len(out.Parameters), out.InvalidParameters)
	}
	if aws.ToString(out.Parameters[0].Value) == aws.ToString(out.Parameters[1].Value) {
		t.Fatal("latest and 1.29.0 point at the same image")
	}
}

func TestSSMGetParametersByPath(t *testing.T) {
	e := newEnv(t, fastConfig())
	ctx := context.Background()
	// Every variant × arch publishes latest + 3 versions, each with image_id and image_version.
	p := ssm.NewGetParametersByPathPaginator(e.ssm, &ssm.GetParametersByPathInput{Path: aws.String("/aws/service/bottlerocket"), Recursive: aws.Bool(true)})
	pages, total := 0, 0
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Parameters) > 10 {
			t.Fatalf("page of %d parameters", len(out.Parameters))
		}
		pages++
		total += len(out.Parameters)
	}
	// 6 variants × 2 archs × 4 directories × 2 parameters.
	if total != 96 || pages != 10 {
		t.Fatalf("%d parameters in %d pages, want 96 in 10", total, pages)
	}
	flat, err := e.ssm.GetParametersByPath(ctx, &ssm.GetParametersByPathInput{Path: aws.String("/aws/service/bottlerocket/aws-k8s-1.32/x86_64/latest")})
	if err != nil || len(flat.Parameters) != 2 || flat.NextToken != nil {
		t.Fatalf("one level: %v %+v", err, flat)
	}
	none, err := e.ssm.GetParametersByPath(ctx, &ssm.GetParametersByPathInput{Path: aws.String("/aws/service/bottlerocket/aws-k8s-1.32")})
	if err != nil || len(none.Parameters) != 0 {
		t.Fatalf("non-recursive must not descend: %v %+v", err, none)
	}
	_, err = e.ssm.GetParametersByPath(ctx, &ssm.GetParametersByPathInput{Path: aws.String("/aws"), MaxResults: aws.Int32(11)})
	expectCode(t, err, "ValidationException")
	if got := e.world.Stats().Calls["GetParametersByPath"]; got != 10+3 {
		t.Fatalf("GetParametersByPath calls = %d, want 13", got)
	}
}

func TestSTSGetCallerIdentity(t *testing.T) {
	e := newEnv(t, fastConfig())
	out, err := e.sts.GetCallerIdentity(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.Account) != "123456789012" || aws.ToString(out.Arn) != "arn:aws:iam::123456789012:user/sandbox" || aws.ToString(out.UserId) == "" {
		t.Fatalf("identity %+v", out)
	}
}
