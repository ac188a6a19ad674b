# A general-purpose node class for an EKS cluster: Bottlerocket on current
# Intel instances, with m5 as the fallback when m6i capacity is short.

variable "cluster_name" {
  type = string
}

variable "cluster_endpoint" {
  type = string
}

variable "cluster_certificate" {
  type        = string
  description = "Base64 CA certificate, as aws_eks_cluster.x.certificate_authority[0].data returns it."
}

variable "node_security_group_id" {
  type = string
}

data "stratos_bottlerocket_ami" "k8s_1_32" {
  kubernetes_version = "1.32"
  architecture       = "x86_64"
}

resource "stratos_node_class" "general" {
  name = "general"

  cluster_name        = var.cluster_name
  cluster_endpoint    = var.cluster_endpoint
  cluster_certificate = var.cluster_certificate
  service_cidr        = "172.20.0.0/16" # cluster-dns-ip becomes 172.20.0.10

  variant  = "aws-k8s-1.32"
  max_pods = 58

  node_labels = {
    "node.kubernetes.io/lifecycle" = "warm"
  }

  kube_reserved = {
    cpu    = "80m"
    memory = "893Mi"
  }

  ami_id         = data.stratos_bottlerocket_ami.k8s_1_32.id
  instance_types = ["m6i.large", "m5.large"]

  # Private subnets of the cluster, resolved at plan time; a selector that
  # matches nothing fails the plan.
  subnet_selector = {
    tags = {
      "kubernetes.io/cluster/${var.cluster_name}" = "*"
      "kubernetes.io/role/internal-elb"           = "1"
    }
  }
  security_group_ids   = [var.node_security_group_id]
  iam_instance_profile = "${var.cluster_name}-nodes"

  block_device_mappings = [
    { device_name = "/dev/xvda", volume_size = 4 },
    # A larger data volume for container images; encrypted gp3 by default.
    { device_name = "/dev/xvdb", volume_size = 40, throughput = 250 },
  ]

  # IMDSv2 only; hop limit 2 so pods such as aws-node can reach IMDS.
  metadata_options = {
    http_tokens                 = "required"
    http_put_response_hop_limit = 2
  }

  tags = {
    "team" = "platform"
  }
}

# A warm pool refers to the node class by id and sees a new version in the
# same plan as the change that makes it.
output "node_class_version" {
  value = stratos_node_class.general.version
}
