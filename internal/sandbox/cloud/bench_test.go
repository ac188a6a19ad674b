package cloud_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// BenchmarkDescribeInstances1000 is one refresh of a 1,000-instance pool:
// a tag-filtered page of 1,000 instances through the real SDK.
func BenchmarkDescribeInstances1000(b *testing.B) {
	e := newEnv(b, fastConfig())
	pool := func(in *ec2.RunInstancesInput) {
		in.TagSpecifications = []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeInstance, Tags: []ec2types.Tag{
			{Key: aws.String("stratos.sh/pool"), Value: aws.String("bench")}, {Key: aws.String("stratos.sh/state"), Value: aws.String("standby")}}}}
	}
	e.run(b, 1000, pool)
	e.run(b, 500) // other instances the filter skips
	in := &ec2.DescribeInstancesInput{MaxResults: aws.Int32(1000), Filters: []ec2types.Filter{{Name: aws.String("tag:stratos.sh/pool"), Values: []string{"bench"}}}}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		out, err := e.ec2.DescribeInstances(ctx, in)
		if err != nil {
			b.Fatal(err)
		}
		if n := len(out.Reservations[0].Instances); n != 1000 {
			b.Fatalf("%d instances", n)
		}
	}
}

// BenchmarkRunInstances100 launches batches of 100 instances.
func BenchmarkRunInstances100(b *testing.B) {
	e := newEnv(b, fastConfig())
	b.ReportAllocs()
	for b.Loop() {
		e.run(b, 100)
	}
}
