package kube

import (
	"context"
	"os"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

// One cluster for the whole package: starting one costs seconds and a
// quarter of a gigabyte.
func TestCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("starts etcd and kube-apiserver (builds them on first use)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	c, err := Start(ctx, Options{Log: testLog(t)})
	if err != nil {
		t.Fatalf("start cluster: %v", err)
	}
	pids := c.Pids()
	dir := c.dir
	closed := false
	defer func() {
		if !closed {
			_ = c.Close()
		}
	}()

	t.Run("client-go lists namespaces through the kubeconfig", func(t *testing.T) {
		cfg, err := clientcmd.BuildConfigFromFlags("", c.KubeconfigPath())
		if err != nil {
			t.Fatalf("load kubeconfig: %v", err)
		}
		client, err := kubernetes.NewForConfig(cfg)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		// The apiserver creates its system namespaces just after readyz.
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
			list, err := client.CoreV1().Namespaces().List(ctx, metav1.ListOptions{})
			if err != nil {
				t.Fatalf("list namespaces: %v", err)
			}
			names = names[:0]
			for _, ns := range list.Items {
				names = append(names, ns.Name)
			}
			if contains(names, "default") && contains(names, "kube-system") {
				return
			}
		}
		t.Fatalf("namespaces = %v, want default and kube-system", names)
	})

	t.Run("reports its own version, not v0.0.0-master", func(t *testing.T) {
		client, err := c.Clientset(0, 0)
		if err != nil {
			t.Fatal(err)
		}
		v, err := client.Discovery().ServerVersion()
		if err != nil {
			t.Fatalf("server version: %v", err)
		}
		if v.GitVersion != KubernetesVersion || v.Major != "1" || v.Minor != "32" {
			t.Fatalf("server version = %+v, want %s", v, KubernetesVersion)
		}
	})

	t.Run("the CA verifies the serving certificate", func(t *testing.T) {
		cfg := c.RESTConfig()
		cfg.BearerToken = ""
		client, err := kubernetes.NewForConfig(cfg)
		if err != nil {
			t.Fatal(err)
		}
		// Anonymous: TLS must succeed; the answer is an authorisation error or
		// the version (public info), never an x509 error.
		if _, err := client.Discovery().ServerVersion(); err != nil && !isHTTPStatus(err) {
			t.Fatalf("anonymous TLS request failed below HTTP: %v", err)
		}
	})

	t.Run("the real controllers and scheduler run a Deployment and judge zones", func(t *testing.T) {
		testControlPlane(ctx, t, c)
	})

	t.Run("a user kubeconfig is subject to RBAC", func(t *testing.T) {
		testUserKubeconfig(ctx, t, c)
	})

	t.Run("Close leaves no process and no directory", func(t *testing.T) {
		if len(pids) != 4 {
			t.Fatalf("pids = %v, want etcd, kube-apiserver, kube-controller-manager and kube-scheduler", pids)
		}
		if err := c.Close(); err != nil {
			t.Fatalf("close: %v", err)
		}
		closed = true
		for _, pid := range pids {
			if Alive(pid) {
				t.Errorf("process %d still alive after Close", pid)
			}
		}
		if _, err := os.Stat(dir); !os.IsNotExist(err) {
			t.Errorf("temporary directory %s still exists (err %v)", dir, err)
		}
	})
}

func TestStagingModules(t *testing.T) {
	goMod := []byte(`module k8s.io/kubernetes

go 1.23.0

require k8s.io/api v0.0.0

replace (
	k8s.io/api => ./staging/src/k8s.io/api // pinned
	k8s.io/apimachinery => ./staging/src/k8s.io/apimachinery
	github.com/foo/bar => github.com/foo/bar v1.2.3
)

replace k8s.io/client-go => ./staging/src/k8s.io/client-go
`)
	mods, goLine, err := stagingModules(goMod)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"k8s.io/api", "k8s.io/apimachinery", "k8s.io/client-go"}
	if len(mods) != len(want) {
		t.Fatalf("modules = %v, want %v", mods, want)
	}
	for i := range want {
		if mods[i] != want[i] {
			t.Fatalf("modules = %v, want %v", mods, want)
		}
	}
	if goLine != "go 1.23.0" {
		t.Fatalf("go line = %q", goLine)
	}
	if _, _, err := stagingModules([]byte("module x\n")); err == nil {
		t.Fatal("a go.mod without staging replaces must be an error")
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	if testing.Verbose() {
		w.t.Logf("%s", p)
	}
	return len(p), nil
}

func testLog(t *testing.T) testWriter { return testWriter{t} }

func isHTTPStatus(err error) bool {
	type statusError interface{ Status() metav1.Status }
	_, ok := err.(statusError)
	return ok
}
