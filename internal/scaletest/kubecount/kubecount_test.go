package kubecount

import (
	"net/http/httptest"
	"testing"
)

func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		method, target string
		want           Request
	}{
		{"GET", "/api/v1/nodes?labelSelector=a%3Db", Request{"LIST", "nodes"}},
		{"GET", "/api/v1/nodes?watch=true&resourceVersion=5", Request{"WATCH", "nodes"}},
		{"GET", "/api/v1/nodes/ip-10-0-0-1.ec2.internal", Request{"GET", "nodes"}},
		{"PATCH", "/api/v1/nodes/n1", Request{"PATCH", "nodes"}},
		{"PUT", "/api/v1/nodes/n1/status", Request{"UPDATE", "nodes/status"}},
		{"DELETE", "/api/v1/nodes/n1", Request{"DELETE", "nodes"}},
		{"GET", "/api/v1/pods?fieldSelector=spec.nodeName%21%3D", Request{"LIST", "pods"}},
		{"GET", "/api/v1/namespaces/kube-system/pods/aws-node-1", Request{"GET", "pods"}},
		{"POST", "/api/v1/namespaces/kube-system/pods", Request{"CREATE", "pods"}},
		{"GET", "/apis/apps/v1/daemonsets?watch=1", Request{"WATCH", "daemonsets"}},
		{"GET", "/api/v1/namespaces", Request{"LIST", "namespaces"}},
		{"GET", "/api/v1/namespaces/default", Request{"GET", "namespaces"}},
		{"GET", "/version", Request{"GET", "/version"}},
	} {
		if got := classify(httptest.NewRequest(tc.method, tc.target, nil)); got != tc.want {
			t.Errorf("%s %s: got %v, want %v", tc.method, tc.target, got, tc.want)
		}
	}
}

func TestParseRequestTotal(t *testing.T) {
	raw := []byte(`# HELP apiserver_request_total [STABLE] Counter of apiserver requests
# TYPE apiserver_request_total counter
apiserver_request_total{code="200",component="apiserver",dry_run="",group="",resource="nodes",scope="cluster",subresource="",verb="LIST",version="v1"} 3
apiserver_request_total{code="404",component="apiserver",dry_run="",group="",resource="nodes",scope="resource",subresource="",verb="GET",version="v1"} 2
apiserver_request_total{code="200",component="apiserver",dry_run="",group="",resource="nodes",scope="resource",subresource="",verb="GET",version="v1"} 5
apiserver_request_total{code="200",component="apiserver",dry_run="",group="",resource="nodes",scope="resource",subresource="status",verb="PATCH",version="v1"} 7
apiserver_request_total{code="200",component="apiserver",dry_run="",group="",resource="",scope="",subresource="/healthz",verb="GET",version=""} 9
apiserver_request_duration_seconds_bucket{verb="LIST",le="0.1"} 4
`)
	got, err := parseRequestTotal(raw)
	if err != nil {
		t.Fatal(err)
	}
	want := Counts{{"LIST", "nodes"}: 3, {"GET", "nodes"}: 7, {"PATCH", "nodes/status"}: 7}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%v: got %d, want %d", k, got[k], v)
		}
	}
	delta := Counts{{"LIST", "nodes"}: 5, {"GET", "nodes"}: 7}.Sub(got)
	if delta.String() != "LIST nodes=2" || delta.Of("LIST", "") != 2 {
		t.Errorf("delta = %v", delta)
	}
}
