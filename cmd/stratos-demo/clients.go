package main

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/stratos-sh/terraform-provider-stratos/internal/awshttp"
)

// kubeClient reads the sandbox's kubeconfig, as the provider does.
func kubeClient() (kubernetes.Interface, error) {
	rest, err := clientcmd.BuildConfigFromFlags("", os.Getenv("KUBE_CONFIG_PATH"))
	if err != nil {
		return nil, fmt.Errorf("kubeconfig (KUBE_CONFIG_PATH): %w", err)
	}
	return kubernetes.NewForConfig(rest)
}

// ec2Client uses the AWS SDK's environment (the sandbox's endpoints).
func ec2Client(ctx context.Context) (*ec2.Client, error) {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, err
	}
	cfg.HTTPClient = awshttp.Wrap(cfg.HTTPClient)
	return ec2.NewFromConfig(cfg), nil
}
