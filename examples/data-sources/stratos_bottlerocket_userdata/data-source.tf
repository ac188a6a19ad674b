data "stratos_bottlerocket_userdata" "web" {
  cluster_name        = "demo"
  api_server          = "https://0123456789ABCDEF0123456789ABCDEF.gr7.us-east-1.eks.amazonaws.com"
  cluster_certificate = "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUMvakNDQWVhZ0F3SUJBZ0lCQURBTkJna3Foa2lHOXcwQkFRc0ZBREFWTVJNd0VRWURWUVFERXdwcmRXSmwKLS0tLS1FTkQgQ0VSVElGSUNBVEUtLS0tLQo="
  service_cidr        = "172.20.0.0/16" # cluster-dns-ip becomes 172.20.0.10

  variant  = "aws-k8s-1.32"
  max_pods = 110

  node_labels = {
    "example.com/team"             = "web"
    "node.kubernetes.io/lifecycle" = "warm"
  }

  node_taints = [
    { key = "dedicated", value = "web", effect = "NoSchedule" },
  ]

  kube_reserved = {
    cpu    = "100m"
    memory = "512Mi"
  }

  eviction_hard = {
    "memory.available" = "100Mi"
    "nodefs.available" = "10%"
  }

  # Anything else Bottlerocket supports, merged with the attributes above.
  custom_user_data = <<-EOT
    [settings.kernel.sysctl]
    "vm.max_map_count" = "262144"

    [settings.host-containers.admin]
    enabled = false
  EOT
}

# Hand the result to EC2 as is: user_data is already base64, gzipped only
# when the document would not fit in 16 KiB.
output "user_data" {
  value = data.stratos_bottlerocket_userdata.web.user_data
}

output "toml" {
  value = data.stratos_bottlerocket_userdata.web.toml
}
