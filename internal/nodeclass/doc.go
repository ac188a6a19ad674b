// Package nodeclass manages a node class: one EC2 launch template whose
// versions say how a pool's node is launched (Bottlerocket AMI, rendered user
// data, instance types, subnets, security groups, volumes, metadata options).
// It validates a node class before any call, creates and updates its launch
// template versions (never replacing the template), resolves subnet and
// security group selectors, and reads a version back whole for the pool
// engine (package warmpool), which launches from it.
//
// Like warmpool, it knows nothing of Terraform.
package nodeclass
