# Ten verified, stopped CI runners: each was launched from the node class,
# joined the cluster, brought up its CNI and pulled its DaemonSet images
# before it was stopped. Starting one takes seconds.

variable "cluster_name" {
  type = string
}

variable "cluster_endpoint" {
  type = string
}

variable "cluster_certificate" {
  type = string
}

variable "subnet_ids" {
  type = list(string)
}

variable "security_group_ids" {
  type = list(string)
}

data "stratos_bottlerocket_ami" "current" {
  kubernetes_version = "1.32"
}

resource "stratos_node_class" "ci" {
  name                = "ci"
  cluster_name        = var.cluster_name
  cluster_endpoint    = var.cluster_endpoint
  cluster_certificate = var.cluster_certificate
  service_cidr        = "172.20.0.0/16"

  ami_id             = data.stratos_bottlerocket_ami.current.id
  instance_types     = ["m6i.xlarge", "m5.xlarge"]
  subnet_ids         = var.subnet_ids
  security_group_ids = var.security_group_ids
}

resource "stratos_warm_pool" "ci" {
  name       = "ci"
  node_class = stratos_node_class.ci.id
  # Referencing the version makes a node class change show in this pool's
  # plan, and its outdated standby instances are replaced in the same apply.
  node_class_version = stratos_node_class.ci.version
  size               = 10

  labels = {
    "example.com/workload" = "ci"
  }
  taints = [
    { key = "example.com/dedicated", value = "ci", effect = "NoSchedule" },
  ]

  warmup = {
    timeout             = "10m"
    timeout_action      = "terminate"
    network             = "auto"
    wait_for_daemonsets = true
    images              = ["public.ecr.aws/docker/library/golang:1.24"]
  }

  timeouts {
    create = "45m"
    update = "45m"
  }
}

# The pool's instances are not attributes of the resource (a plan would list
# every one of them); the data source lists them.
data "stratos_warm_pool" "ci" {
  name         = stratos_warm_pool.ci.name
  cluster_name = stratos_warm_pool.ci.cluster_name
}

output "standby" {
  value = data.stratos_warm_pool.ci.standby_instance_ids
}
