package bottlerocket

import "testing"

func TestSuggest(t *testing.T) {
	keys := []string{"node-labels", "node-taints", "max-pods", "cluster-dns-ip", "kube-reserved", "api-server"}
	cases := map[string]string{
		"labels":       "node-labels",
		"taints":       "node-taints",
		"maxPods":      "max-pods",
		"max_pods":     "max-pods",
		"max-pod":      "max-pods",
		"clusterDNSIP": "cluster-dns-ip",
		"kubeReserved": "kube-reserved",
		"apiserver":    "api-server",
		"zzz":          "",
		"":             "",
	}
	for in, want := range cases {
		if got := suggest(in, keys); got != want {
			t.Errorf("suggest(%q) = %q, want %q", in, got, want)
		}
	}
	// An affix and a one-character edit are equally near; the edit wins.
	defrag := []string{"never", "madvise", "defer", "defer+madvise", "always"}
	if got := suggest("defer-madvise", defrag); got != "defer+madvise" {
		t.Errorf("suggest(defer-madvise) = %q, want defer+madvise", got)
	}
}

func TestLevenshtein(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		d    int
	}{{"", "", 0}, {"a", "", 1}, {"kitten", "sitting", 3}, {"max-pods", "max-pod", 1}, {"é", "e", 1}} {
		if got := levenshtein(tc.a, tc.b); got != tc.d {
			t.Errorf("levenshtein(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.d)
		}
	}
}
