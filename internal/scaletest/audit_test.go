package scaletest

import (
	"strings"
	"testing"
)

func TestAuditProblems(t *testing.T) {
	for _, tc := range []struct {
		name  string
		audit Audit
		size  int
		want  []string // substrings, one per problem
	}{
		{"exact", Audit{Live: []string{"i-1", "i-2"}, Standby: []string{"i-1", "i-2"}}, 2, nil},
		{"leaked", Audit{Live: []string{"i-1", "i-2"}, Standby: []string{"i-1", "i-2"}, Leaked: []string{"i-2"}}, 2, []string{"1 leaked"}},
		{"duplicated", Audit{Live: []string{"i-1", "i-2", "i-3"}, Standby: []string{"i-1", "i-2", "i-3"}}, 2, []string{"duplicated: 3 live", "3 verified standby"}},
		{"short", Audit{Live: []string{"i-1"}, Standby: []string{"i-1"}, Missing: []string{"i-9"}}, 2, []string{"1 verified standby", "in state but not live"}},
		{"stale node", Audit{StaleNodes: []string{"ip-10-0-0-1"}}, 0, []string{"nodes left"}},
		{"stopped node", Audit{StoppedNodes: []string{"ip-10-0-0-2"}}, 0, []string{"registered for stopped"}},
	} {
		got := tc.audit.Problems(tc.size)
		if len(got) != len(tc.want) {
			t.Errorf("%s: problems %q, want %d", tc.name, got, len(tc.want))
			continue
		}
		for i, w := range tc.want {
			if !strings.Contains(got[i], w) {
				t.Errorf("%s: problem %q does not say %q", tc.name, got[i], w)
			}
		}
	}
}

func TestCalls(t *testing.T) {
	after := Calls{"DescribeInstances": 5, "RunInstances": 3}
	d := after.Sub(Calls{"DescribeInstances": 2, "RunInstances": 3})
	if d.String() != "DescribeInstances=3" || d.Total() != 3 {
		t.Errorf("Sub = %v", d)
	}
	if (Calls{}).String() != "-" {
		t.Errorf("empty calls render as %q", Calls{}.String())
	}
}

func TestPoolConfigHCL(t *testing.T) {
	sb := Sandbox{Env: map[string]string{"STRATOS_SANDBOX_SUBNET_IDS": "subnet-1,subnet-2", "STRATOS_SANDBOX_SECURITY_GROUP_IDS": "sg-1"}, AMI: "ami-0123456789abcdef0"}
	nodeClassOnly := PoolConfig{Name: "x", Size: -1}.HCL(sb)
	if strings.Contains(nodeClassOnly, "stratos_warm_pool") || !strings.Contains(nodeClassOnly, `subnet_ids          = ["subnet-1", "subnet-2"]`) {
		t.Errorf("node class only:\n%s", nodeClassOnly)
	}
	running := 3
	pool := PoolConfig{Name: "x", Size: 10, Revision: 2, WarmupTimeout: "30s", Running: &running}.HCL(sb)
	for _, want := range []string{`size               = 10`, `running            = 3`, `timeout = "30s"`, `"example.com/revision" = "2"`} {
		if !strings.Contains(pool, want) {
			t.Errorf("pool config lacks %q:\n%s", want, pool)
		}
	}
	many := PoolConfig{Name: "x", Size: 10, Pools: 8}
	if hcl := many.HCL(sb); !strings.Contains(hcl, `count              = 8`) || !strings.Contains(hcl, `name               = "x-${count.index}"`) {
		t.Errorf("8 pools:\n%s", hcl)
	}
	names, addresses := many.PoolNames()
	if len(names) != 8 || names[7] != "x-7" || addresses[7] != "stratos_warm_pool.bench[7]" {
		t.Errorf("8 pools: names %v, addresses %v", names, addresses)
	}
	if names, addresses := (PoolConfig{Name: "x", Size: 1}).PoolNames(); len(names) != 1 || names[0] != "x" || addresses[0] != PoolAddress {
		t.Errorf("one pool: names %v, addresses %v", names, addresses)
	}
}
