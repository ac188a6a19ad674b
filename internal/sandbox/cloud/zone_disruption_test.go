package cloud_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

func TestDisruptedZoneFailsDescribesThatCouldReachIt(t *testing.T) {
	e := newEnv(t, fastConfig())
	ctx := context.Background()
	inA := e.run(t, 1)
	inB := e.run(t, 1, func(in *ec2.RunInstancesInput) { in.SubnetId = aws.String(e.world.SubnetIDs()[1]) })
	cfg := fastConfig()
	cfg.DisruptedZones = []string{"us-east-1a"}
	if err := e.world.SetConfig(cfg); err != nil {
		t.Fatal(err)
	}
	one := func(o *ec2.Options) { o.RetryMaxAttempts = 1 }
	_, err := e.ec2.DescribeInstances(ctx, &ec2.DescribeInstancesInput{}, one)
	expectCode(t, err, "ServiceUnavailable")
	_, err = e.ec2.DescribeInstances(ctx, &ec2.DescribeInstancesInput{Filters: []ec2types.Filter{{Name: aws.String("instance-state-name"), Values: []string{"running"}}}}, one)
	expectCode(t, err, "ServiceUnavailable")
	_, err = e.ec2.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: append(ids(inA), ids(inB)...)}, one)
	expectCode(t, err, "ServiceUnavailable")
	out, err := e.ec2.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: ids(inB)}, one)
	if err != nil || len(out.Reservations) != 1 {
		t.Fatalf("describe of an id in a healthy zone: %v %+v", err, out)
	}
	_, err = e.ec2.RunInstances(ctx, &ec2.RunInstancesInput{
		ImageId: aws.String(e.image(t, "aws-k8s-1.32", "x86_64")), InstanceType: ec2types.InstanceTypeM5Large,
		MinCount: aws.Int32(1), MaxCount: aws.Int32(1), SubnetId: aws.String(e.world.SubnetIDs()[0]),
	}, one)
	expectCode(t, err, "InsufficientInstanceCapacity")
}
