// Package warmpool is the pool engine: it observes a warm pool's EC2 instances
// and Kubernetes nodes, plans what to launch, stop, start, terminate and
// replace, and converges with batched EC2 calls and watch-driven waits.
//
// It knows nothing of Terraform. Callers hand it a desired Pool and clients
// for EC2 and Kubernetes; it reports what it found and what it did.
package warmpool
