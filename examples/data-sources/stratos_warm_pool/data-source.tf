# Read the "ci" pool that the platform team's configuration manages: this
# configuration does not own it, but can check on it and use its numbers.
data "stratos_warm_pool" "ci" {
  name         = "ci"
  cluster_name = "prod"
}

# A CI check (`terraform plan` in a repository that does not own the pool)
# warns when the pool cannot serve a burst, or still runs an old node class.
check "ci_pool_ready" {
  assert {
    condition     = data.stratos_warm_pool.ci.standby >= 5
    error_message = "Only ${data.stratos_warm_pool.ci.standby} standby instances in pool ci (${jsonencode(data.stratos_warm_pool.ci.counts)})."
  }
  assert {
    condition     = data.stratos_warm_pool.ci.outdated == 0
    error_message = "${data.stratos_warm_pool.ci.outdated} standby instances run node class version ${data.stratos_warm_pool.ci.node_class_version}, not ${data.stratos_warm_pool.ci.node_class_latest_version}."
  }
}

output "ci_pool_nodes" {
  value = data.stratos_warm_pool.ci.node_names
}
