# Only for the demo's comparison (not part of the quick start): a pool of the
# same node class with nothing in standby (size 0). Raising its running
# launches every node cold, as a node group or Karpenter would, so
# scripts/demo.sh times both ways to schedulable nodes in one run.
variable "cold_running" {
  description = "How many nodes the pool without standby runs (each launched cold)."
  type        = number
  default     = 0
}

resource "stratos_warm_pool" "cold" {
  name               = "demo-cold"
  node_class         = stratos_node_class.demo.id
  node_class_version = stratos_node_class.demo.version
  size               = 0
  running            = var.cold_running

  labels = {
    "example.com/pool" = "demo-cold"
  }
}
