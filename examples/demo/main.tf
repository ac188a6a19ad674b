# The demo: a node class and a warm pool on the local sandbox (make demo).
# The variables come from .sandbox/env (TF_VAR_* exported by scripts/demo.sh).

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
  type    = number
  default = 3
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
  instance_types = ["m6i.large", "m5.large"]

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
  node_class_version = stratos_node_class.demo.version
  size               = var.pool_size

  labels = {
    "example.com/pool" = "demo"
  }
}

output "standby_instance_ids" {
  value = stratos_warm_pool.demo.standby_instance_ids
}

output "node_class_version" {
  value = stratos_node_class.demo.version
}
