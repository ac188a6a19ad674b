# The quick start: a node class and a warm pool of it. `make demo` applies
# this file on the local sandbox, with the variables set from the sandbox's
# cluster; on EKS, set them from your cluster (aws_eks_cluster.this.name,
# .endpoint, .certificate_authority[0].data,
# .kubernetes_network_config[0].service_ipv4_cidr).
terraform {
  required_providers {
    stratos = {
      source = "stratos-sh/stratos"
    }
  }
}

# Region and credentials come from the AWS SDK's environment.
provider "stratos" {}

variable "cluster_name" {
  type = string
}

variable "cluster_endpoint" {
  type = string
}

variable "cluster_certificate" {
  type = string
}

variable "service_cidr" {
  type = string
}

variable "pool_size" {
  description = "Verified standby instances to keep stopped."
  type        = number
  default     = 3
}

variable "running" {
  description = "How many of the pool's instances run as schedulable nodes, started from standby."
  type        = number
  default     = 0
}

data "stratos_bottlerocket_ami" "current" {
  kubernetes_version = "1.32"
}

resource "stratos_node_class" "demo" {
  name                = "demo"
  cluster_name        = var.cluster_name
  cluster_endpoint    = var.cluster_endpoint
  cluster_certificate = var.cluster_certificate
  service_cidr        = var.service_cidr
  max_pods            = 58

  ami_id         = data.stratos_bottlerocket_ami.current.id
  instance_types = ["m6i.large", "m5.large"] # later types are fallbacks when capacity is short

  # Subnets and security groups found by tag (or list them: subnet_ids, security_group_ids).
  subnet_selector = {
    tags = { "stratos.sh/discovery" = "sandbox" }
  }
  security_group_selector = {
    tags = { "stratos.sh/discovery" = "sandbox" }
  }
}

resource "stratos_warm_pool" "demo" {
  name               = "demo"
  node_class         = stratos_node_class.demo.id
  node_class_version = stratos_node_class.demo.version # node class changes replace standby in the same apply
  size               = var.pool_size
  running            = var.running

  labels = {
    "example.com/pool" = "demo"
  }
}

# The pool's instances are listed by the data source, not the resource.
data "stratos_warm_pool" "demo" {
  name         = stratos_warm_pool.demo.name
  cluster_name = stratos_warm_pool.demo.cluster_name
}

output "standby_instance_ids" {
  value = data.stratos_warm_pool.demo.standby_instance_ids
}
