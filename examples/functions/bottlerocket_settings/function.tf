# Validate and merge the Bottlerocket TOML you hand to something else, here
# a Karpenter EC2NodeClass: a typo or a second [settings.kubernetes] header
# fails the plan instead of leaving the node stuck at boot.
locals {
  karpenter_user_data = provider::stratos::bottlerocket_settings([
    <<-EOT
      [settings.kubernetes]
      max-pods = 58

      [settings.kubernetes.node-labels]
      "example.com/team" = "web"
    EOT
    ,
    file("${path.module}/kernel.toml"),
  ], true)
}

output "karpenter_user_data" {
  value = local.karpenter_user_data
}
