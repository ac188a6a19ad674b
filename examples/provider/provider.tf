terraform {
  required_providers {
    stratos = {
      source = "stratos-sh/stratos"
    }
  }
}

# Credentials come from the environment as for the AWS and Kubernetes
# providers (AWS_PROFILE, AWS_REGION, KUBE_CONFIG_PATH, ...). Nothing is
# contacted until a resource or data source needs it: rendering user data
# works without any of this.
provider "stratos" {
  region = "us-east-1"

  default_tags {
    tags = {
      "team" = "platform"
    }
  }

  kubernetes {
    host                   = var.cluster_endpoint
    cluster_ca_certificate = var.cluster_certificate # base64 as EKS returns it, or PEM
    exec {
      api_version = "client.authentication.k8s.io/v1beta1"
      command     = "aws"
      args        = ["eks", "get-token", "--cluster-name", var.cluster_name]
    }
  }
}

variable "cluster_name" {
  type = string
}

variable "cluster_endpoint" {
  type = string
}

variable "cluster_certificate" {
  type = string
}
