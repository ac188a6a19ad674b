package main

import "testing"

func TestPlanLines(t *testing.T) {
	out := `Terraform will perform the following actions:

  # stratos_warm_pool.bench will be updated in-place
  ~ resource "stratos_warm_pool" "bench" {
        id   = "bench"
      ~ size = 3 -> 5
        # (12 unchanged attributes hidden)
    }

Plan: 0 to add, 1 to change, 0 to destroy.`
	all, pool := planLines(out, "stratos_warm_pool.bench")
	if all != 10 || pool != 6 {
		t.Errorf("planLines = %d, %d; want 10, 6", all, pool)
	}
}
