// Package scaletest holds what the benchmark (cmd/stratos-bench) and the
// scale, chaos and crash tests share: Terraform configurations of a node
// class and a warm pool on the sandbox, and the audit that proves a pool
// leaked and duplicated nothing. The tests live beside it.
package scaletest

import (
	"fmt"
	"strings"
)

// Sandbox is what a configuration needs to know about the sandbox: its
// cluster identity and network (from sandbox.Sandbox.Env) and an AMI.
type Sandbox struct {
	Env map[string]string
	AMI string
}

// PoolConfig is one node class and, unless Size < 0, one warm pool of it.
type PoolConfig struct {
	Name string
	// Size of the pool; negative leaves the pool out (the node class alone).
	Size int
	// Revision goes into a node label of the node class: changing it makes a
	// new node class version, so the pool's standby instances are outdated.
	Revision int
	// WarmupTimeout is the pool's warmup timeout ("" = the default).
	WarmupTimeout string
	// Running, when set, is how many of the pool's instances run.
	Running *int
	// Pools, when above 1, makes that many pools of Size of the one node
	// class (count; named Name-0, Name-1, …): what Terraform applies at
	// once in one provider process.
	Pools int
}

// HCL renders the configuration.
func (c PoolConfig) HCL(sb Sandbox) string {
	var b strings.Builder
	fmt.Fprintf(&b, `terraform {
  required_providers {
    stratos = { source = "stratos-sh/stratos" }
  }
}

provider "stratos" {}

resource "stratos_node_class" "bench" {
  name                = %q
  cluster_name        = %q
  cluster_endpoint    = %q
  cluster_certificate = %q
  service_cidr        = %q
  ami_id              = %q
  instance_types      = ["m5.large", "m6i.large"]
  subnet_ids          = %s
  security_group_ids  = %s
  node_labels = {
    "example.com/revision" = "%d"
  }
}
`, c.Name, sb.Env["STRATOS_SANDBOX_CLUSTER_NAME"], sb.Env["STRATOS_SANDBOX_CLUSTER_ENDPOINT"],
		sb.Env["STRATOS_SANDBOX_CLUSTER_CA"], sb.Env["STRATOS_SANDBOX_SERVICE_CIDR"], sb.AMI,
		hclList(sb.Env["STRATOS_SANDBOX_SUBNET_IDS"]), hclList(sb.Env["STRATOS_SANDBOX_SECURITY_GROUP_IDS"]), c.Revision)
	if c.Size < 0 {
		return b.String()
	}
	warmup := ""
	if c.WarmupTimeout != "" {
		warmup = fmt.Sprintf("\n  warmup = {\n    timeout = %q\n  }", c.WarmupTimeout)
	}
	if c.Running != nil {
		warmup += fmt.Sprintf("\n  running            = %d", *c.Running)
	}
	count, name := "", fmt.Sprintf("%q", c.Name)
	if c.Pools > 1 {
		count = fmt.Sprintf("\n  count              = %d", c.Pools)
		name = fmt.Sprintf(`"%s-${count.index}"`, c.Name)
	}
	fmt.Fprintf(&b, `
resource "stratos_warm_pool" "bench" {%s
  name               = %s
  node_class         = stratos_node_class.bench.id
  node_class_version = stratos_node_class.bench.version
  size               = %d%s
}
`, count, name, c.Size, warmup)
	return b.String()
}

// PoolNames are the names of the configuration's pools and their resource
// addresses.
func (c PoolConfig) PoolNames() (names, addresses []string) {
	if c.Pools <= 1 {
		return []string{c.Name}, []string{PoolAddress}
	}
	for k := range c.Pools {
		names = append(names, fmt.Sprintf("%s-%d", c.Name, k))
		addresses = append(addresses, fmt.Sprintf("%s[%d]", PoolAddress, k))
	}
	return names, addresses
}

// PoolAddress is the pool's resource address in the configuration.
const PoolAddress = "stratos_warm_pool.bench"

func hclList(commaSeparated string) string {
	var quoted []string
	for _, v := range strings.Split(commaSeparated, ",") {
		if v != "" {
			quoted = append(quoted, fmt.Sprintf("%q", v))
		}
	}
	return "[" + strings.Join(quoted, ", ") + "]"
}
