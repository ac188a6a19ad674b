package kubecount

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"testing/iotest"

	"k8s.io/client-go/rest"
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

func TestProxyCountsObjectsRead(t *testing.T) {
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Query().Get("watch") == "true" {
			fmt.Fprintln(w, `{"type":"ADDED","object":{"metadata":{"name":"a"}}}`)
			w.(http.Flusher).Flush()
			fmt.Fprintln(w, `{"type":"MODIFIED","object":{"metadata":{"name":"a"}}}`)
			return
		}
		// Large lists come compressed to clients that accept gzip.
		w.Header().Set("Content-Encoding", "gzip")
		zw := gzip.NewWriter(w)
		fmt.Fprint(zw, `{"apiVersion":"v1","kind":"PodList","items":[{"metadata":{"name":"a"}},{"metadata":{"name":"b"}},{"metadata":{"name":"c"}}]}`)
		_ = zw.Close()
	}))
	defer upstream.Close()
	p, err := StartProxy(&rest.Config{Host: upstream.URL})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	for _, target := range []string{"/api/v1/pods?fieldSelector=spec.nodeName%3Dn1", "/api/v1/pods?watch=true&labelSelector=app%3Dx"} {
		req, _ := http.NewRequest(http.MethodGet, p.URL()+target, nil)
		req.Header.Set("Accept-Encoding", "gzip") // as client-go's transport sends it
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if len(body) == 0 {
			t.Errorf("%s: empty body passed on", target)
		}
	}
	want := Counts{{"LIST", "pods"}: 3, {"WATCH", "pods"}: 2}
	if got := p.Objects(); got.String() != want.String() {
		t.Errorf("objects read = %v, want %v", got, want)
	}
	if got := p.FieldSelectors(Request{"LIST", "pods"}); got["spec.nodeName=n1"] != 1 {
		t.Errorf("field selectors = %v", got)
	}
	if got := p.LabelSelectors(Request{"WATCH", "pods"}); got["app=x"] != 1 {
		t.Errorf("label selectors = %v", got)
	}
}

func TestFrameCounterCountsSplitFrames(t *testing.T) {
	var stream bytes.Buffer
	for _, frame := range []string{"first event", "", "third"} {
		_ = binary.Write(&stream, binary.BigEndian, uint32(len(frame)))
		stream.WriteString(frame)
	}
	frames := 0
	c := &frameCounter{ReadCloser: io.NopCloser(iotest.OneByteReader(&stream)), count: func(n int) { frames += n }}
	if _, err := io.ReadAll(c); err != nil {
		t.Fatal(err)
	}
	if frames != 3 {
		t.Errorf("counted %d frames, want 3", frames)
	}
}
