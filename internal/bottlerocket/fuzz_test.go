package bottlerocket

import (
	"testing"

	"github.com/pelletier/go-toml/v2"
)

// fuzzFragments seed both fuzz targets: documents from the golden inputs,
// each legacy form, and inputs known to be refused.
func fuzzFragments() []string {
	seeds := []string{
		"",
		"[settings.kubernetes]\nmax-pods = 110\n",
		"[settings.kubernetes]\nmax-pods = 1\n[settings.kubernetes]\nmax-pods = 2\n",
		"#!/bin/bash\necho hi\n",
		"settings.kubernetes.cluster-dns-ip = \"10.100.0.10\"\n",
		"[settings.kubernetes.node-taints]\na = \"b:NO_SCHEDULE\"\nc = []\n",
		"[settings.kubernetes.node-labels]\n\"example.com/role\" = \"web\"\n",
		"settings.kubernetes.labels.a = \"b\"\nfoo = 1\n",
		"settings.motd = \"\\u0000 \\\" é \\t\"\n",
		"[settings.kubernetes.new]\na = 1.5\nb = nan\nc = -0.0\nd = inf\ne = [[1], [\"x\"], [{ f = 1 }]]\n",
		"[[settings.container-registry.mirrors]]\nregistry = \"docker.io\"\nendpoint = [\"https://m\"]\n",
		"settings.kubernetes.image-gc-high-threshold-percent = \"85\"\n",
		"settings.kubernetes.x = 1979-05-27T07:32:00Z\n",
		"settings.\"a.b\".\"\" = 1\n",
		"settings = 1\n",
	}
	for _, in := range goldenInputs() {
		seeds = append(seeds, in.CustomUserData...)
	}
	return seeds
}

func FuzzRender(f *testing.F) {
	frags := fuzzFragments()
	for i, a := range frags {
		b := frags[(i+1)%len(frags)]
		f.Add(a, b, "role", "web", "dedicated", "NO_SCHEDULE", int64(110), "172.20.0.0/16", i%2 == 0, i%3 == 0)
	}
	f.Add("", "", "kubernetes.io/role", "", "k", "Bogus", int64(-1), "fd00::/108", true, true)
	f.Fuzz(func(t *testing.T, fragA, fragB, labelKey, labelValue, taintKey, taintEffect string, maxPods int64, serviceCIDR string, nvidia, strict bool) {
		in := identity(Input{
			ServiceCIDR:    serviceCIDR,
			NodeLabels:     map[string]string{labelKey: labelValue},
			NodeTaints:     []Taint{{Key: taintKey, Value: labelValue, Effect: taintEffect}},
			MaxPods:        &maxPods,
			CustomUserData: []string{fragA, fragB},
			Strict:         strict,
		})
		if nvidia {
			in.Variant = "aws-k8s-1.32-nvidia"
		}
		doc, problems := Render(in)
		if (doc == nil) != hasError(problems) {
			t.Fatalf("document %v with problems %v", doc != nil, problems)
		}
		if doc != nil {
			assertRoundTrip(t, in, doc)
		}
	})
}

func FuzzMergeFragments(f *testing.F) {
	frags := fuzzFragments()
	for i, a := range frags {
		f.Add(a, frags[(i+3)%len(frags)], i%2 == 0)
	}
	f.Fuzz(func(t *testing.T, a, b string, strict bool) {
		out, problems := MergeFragments([]string{a, b}, "", strict)
		swapped, swappedProblems := MergeFragments([]string{b, a}, "", strict)
		if hasError(problems) != hasError(swappedProblems) || out != swapped {
			t.Fatalf("fragment order changed the result:\n%q %v\n%q %v", out, problems, swapped, swappedProblems)
		}
		if hasError(problems) {
			if out != "" {
				t.Fatalf("errors with a document")
			}
			return
		}
		tree, _ := build(Input{CustomUserData: []string{a, b}, Strict: strict}, "fragments")
		parsed := map[string]any{}
		if err := toml.Unmarshal([]byte(out), &parsed); err != nil {
			t.Fatalf("merged document does not parse: %v\n%s", err, out)
		}
		if !equalValues(parsed, tree) {
			t.Fatalf("merged document parses to %#v, want %#v", parsed, tree)
		}
		again, problems := MergeFragments([]string{out}, "", strict)
		if hasError(problems) || again != out {
			t.Fatalf("re-merging changed the document: %v\n%s\n---\n%s", problems, out, again)
		}
	})
}
