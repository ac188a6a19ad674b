// Package sandbox assembles the local AWS + EKS sandbox: a real control
// plane (etcd, kube-apiserver, kube-controller-manager, kube-scheduler;
// package kube), the simulated AWS account served over
// EC2/SSM/STS wire protocols (package cloud), the simulated Bottlerocket
// nodes (package nodes) and a small JSON control API, all behind one
// loopback HTTP listener.
package sandbox

import (
	"context"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/stratos-sh/terraform-provider-stratos/internal/sandbox/cloud"
	"github.com/stratos-sh/terraform-provider-stratos/internal/sandbox/kube"
	"github.com/stratos-sh/terraform-provider-stratos/internal/sandbox/nodes"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// ClusterName is the EKS-like cluster the sandbox pretends to be.
const ClusterName = "sandbox"

// Options configure Start.
type Options struct {
	// Dir holds the apiserver's data, keys and kubeconfig. Empty: a
	// temporary directory removed by Close.
	Dir string
	// Addr is the listen address of the AWS endpoints and the control API;
	// default 127.0.0.1:0 (a free port).
	Addr string
	// Config is the initial behaviour; nil means cloud.DefaultConfig().
	Config *cloud.Config
	// Seed makes the world's ids and fault draws repeatable; 0 means 1.
	Seed uint64
	// Log receives etcd/kube-apiserver output, first-use build output and
	// node simulator errors; nil discards them.
	Log io.Writer
	// Logger receives one line per AWS API request; nil discards.
	Logger *slog.Logger
	// NodeMonitorGracePeriod is how long kube-controller-manager's node
	// lifecycle controller waits for a silent node (a stopped instance)
	// before marking it Unknown and unreachable; the simulated kubelets'
	// Lease duration follows it. 0 means Kubernetes' default, 40 s.
	NodeMonitorGracePeriod time.Duration
}

// Sandbox is a running sandbox. Close stops it and every process it started.
type Sandbox struct {
	cluster  *kube.Cluster
	world    *cloud.World
	sim      *nodes.Simulator
	client   kubernetes.Interface
	listener net.Listener
	server   *http.Server
	url      string

	configMu  sync.Mutex // serialises read-modify-write of the config
	closeOnce sync.Once
	closeErr  error
}

// Start brings up the whole sandbox and returns once the apiserver is ready,
// the node simulator watches it and the HTTP endpoints accept requests.
// The first call on a machine builds etcd and the Kubernetes binaries (minutes).
func Start(ctx context.Context, opts Options) (_ *Sandbox, err error) {
	logw := opts.Log
	if logw == nil {
		logw = io.Discard
	}
	s := &Sandbox{}
	defer func() {
		if err != nil {
			_ = s.Close()
		}
	}()
	s.cluster, err = kube.Start(ctx, kube.Options{Dir: opts.Dir, Log: logw, NodeMonitorGracePeriod: opts.NodeMonitorGracePeriod})
	if err != nil {
		return nil, fmt.Errorf("start kubernetes: %w", err)
	}
	// The simulator writes for every node it plays; client-go's default of
	// 5 QPS would make it the bottleneck at a thousand nodes.
	s.client, err = s.cluster.Clientset(1000, 2000)
	if err != nil {
		return nil, fmt.Errorf("kubernetes client: %w", err)
	}
	s.world = cloud.NewWorld(cloud.Options{Config: opts.Config, Seed: opts.Seed, Logger: opts.Logger})
	s.sim = nodes.New(nodes.Options{
		Client:  s.client,
		World:   s.world,
		Cluster: nodes.Cluster{Name: ClusterName, Endpoint: s.cluster.Endpoint(), CACertPEM: s.cluster.CACertPEM()},
		// The kubelet's lease duration and the controller's grace period
		// are both 40 s by default; a shortened grace period needs
		// renewals at least as frequent.
		NodeLeaseDuration: s.cluster.NodeMonitorGracePeriod(),
		Logf:              log.New(logw, "", log.LstdFlags).Printf,
	})
	if err := s.sim.Start(ctx); err != nil {
		return nil, fmt.Errorf("start node simulator: %w", err)
	}
	s.world.Subscribe(s.sim)

	addr := opts.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	s.listener, err = net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	s.url = "http://" + s.listener.Addr().String()
	s.server = &http.Server{Handler: s.handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.server.Serve(s.listener) }()
	return s, nil
}

// URL is the base URL of the control API (and of the AWS endpoints under it).
func (s *Sandbox) URL() string { return s.url }

// World is the simulated AWS account.
func (s *Sandbox) World() *cloud.World { return s.world }

// Cluster is the running control plane: its zone states (Zones) and
// kubeconfigs for other identities (UserKubeconfig).
func (s *Sandbox) Cluster() *kube.Cluster { return s.cluster }

// Kubernetes is an admin client of the sandbox's apiserver.
func (s *Sandbox) Kubernetes() kubernetes.Interface { return s.client }

// RESTConfig is an admin client configuration for the sandbox's apiserver.
func (s *Sandbox) RESTConfig() *rest.Config { return s.cluster.RESTConfig() }

// Pids are the child processes (etcd and the Kubernetes control plane), for leak checks.
func (s *Sandbox) Pids() []int {
	if s.cluster == nil {
		return nil
	}
	return s.cluster.Pids()
}

// Close stops the HTTP server, the world, the node simulator and the
// apiserver and etcd processes. It is safe to call more than once.
func (s *Sandbox) Close() error {
	s.closeOnce.Do(func() {
		if s.server != nil {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			if err := s.server.Shutdown(ctx); err != nil {
				_ = s.server.Close()
			}
			cancel()
		}
		if s.world != nil {
			s.world.Close()
		}
		if s.sim != nil {
			s.sim.Close()
		}
		if s.cluster != nil {
			s.closeErr = s.cluster.Close()
		}
	})
	return s.closeErr
}
