package warmpool

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"k8s.io/client-go/kubernetes"
)

// EC2API is the part of the EC2 client the engine uses; *ec2.Client satisfies it.
type EC2API interface {
	ec2.DescribeInstancesAPIClient
	RunInstances(ctx context.Context, in *ec2.RunInstancesInput, optFns ...func(*ec2.Options)) (*ec2.RunInstancesOutput, error)
	StartInstances(ctx context.Context, in *ec2.StartInstancesInput, optFns ...func(*ec2.Options)) (*ec2.StartInstancesOutput, error)
	StopInstances(ctx context.Context, in *ec2.StopInstancesInput, optFns ...func(*ec2.Options)) (*ec2.StopInstancesOutput, error)
	TerminateInstances(ctx context.Context, in *ec2.TerminateInstancesInput, optFns ...func(*ec2.Options)) (*ec2.TerminateInstancesOutput, error)
	CreateTags(ctx context.Context, in *ec2.CreateTagsInput, optFns ...func(*ec2.Options)) (*ec2.CreateTagsOutput, error)
	GetConsoleOutput(ctx context.Context, in *ec2.GetConsoleOutputInput, optFns ...func(*ec2.Options)) (*ec2.GetConsoleOutputOutput, error)
}

// Engine converges warm pools. It is safe to use for one pool operation at a time.
type Engine struct {
	EC2  EC2API
	Kube kubernetes.Interface
	// Informers are the cluster caches shared by the engines of one process
	// (one per Kubernetes client); nil gives each operation its own.
	Informers *Informers
	// Options tune batching and polling; zero values take defaults.
	Options Options
	// Logf receives progress lines; nil discards them. Never given secrets.
	Logf func(format string, args ...any)
	// Known are instances recorded in state. When an Availability Zone
	// disruption fails the pool's filtered DescribeInstances, the engine
	// describes these (and every instance it saw itself) by id instead.
	Known []Instance

	zones zoneMemory
}

func (e *Engine) logf(format string, args ...any) {
	if e.Logf != nil {
		e.Logf(format, args...)
	}
}
