# The latest Bottlerocket AMI for Kubernetes 1.32 on Graviton.
data "stratos_bottlerocket_ami" "arm64" {
  kubernetes_version = "1.32"
  architecture       = "arm64"
}

# A pinned release of the NVIDIA variant for GPU instances.
data "stratos_bottlerocket_ami" "gpu" {
  kubernetes_version = "1.32"
  nvidia             = true
  version            = "1.32.0"
}

output "arm64_ami" {
  value = data.stratos_bottlerocket_ami.arm64.id
}
