# A node class is imported by its name (its launch template is stratos-<name>).
terraform import stratos_node_class.general general
