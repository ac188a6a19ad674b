# A pool is imported by its name (the pool's instances carry it as a tag).
terraform import stratos_warm_pool.ci ci

# When pools of that name exist in several clusters, name the cluster too.
terraform import stratos_warm_pool.ci my-cluster/ci
