// Package kube runs a real control plane for the sandbox: etcd,
// kube-apiserver, kube-controller-manager and kube-scheduler. All are built
// from the Go module proxy on first use and cached in a folder keyed by their
// versions, so later runs start in seconds.
package kube

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/stratos-sh/terraform-provider-stratos/internal/gobuild"
)

// The versions the sandbox runs. The client libraries in go.mod are
// k8s.io/* v0.32.13, so the apiserver matches them exactly.
const (
	KubernetesVersion = "v1.32.13"
	EtcdVersion       = "v3.5.21"
)

// Binaries are the paths of the built executables.
type Binaries struct {
	Etcd                  string
	KubeAPIServer         string
	KubeControllerManager string
	KubeScheduler         string
}

// kubeCommands are the k8s.io/kubernetes commands the sandbox runs, built in
// one `go build` so the packages they share compile once.
var kubeCommands = []string{"kube-apiserver", "kube-controller-manager", "kube-scheduler"}

// cacheLayout names what a cache folder holds. It changes when the set of
// binaries does, so a folder from an older sandbox (kube-apiserver only) is
// not mistaken for a complete one.
const cacheLayout = "cp1"

// CacheDir is where built binaries live: one folder per version pair and
// layout, so an upgrade never reuses a stale binary.
func CacheDir() (string, error) {
	base, err := gobuild.CacheRoot()
	if err != nil {
		return "", err
	}
	return filepath.Join(base, "stratos-sandbox", "bin", "k8s-"+KubernetesVersion+"-etcd-"+EtcdVersion+"-"+cacheLayout), nil
}

// EnsureBinaries returns the cached etcd and Kubernetes binaries, building
// them first if needed. Concurrent callers (parallel test packages, `make
// test` warming the cache) are serialised by an exclusive lock on a file
// beside the cache folder, so the long Kubernetes build happens once.
// Build output goes to log (may be nil).
func EnsureBinaries(ctx context.Context, log io.Writer) (Binaries, error) {
	if log == nil {
		log = io.Discard
	}
	dir, err := CacheDir()
	if err != nil {
		return Binaries{}, err
	}
	bins := Binaries{
		Etcd:                  filepath.Join(dir, "etcd"),
		KubeAPIServer:         filepath.Join(dir, "kube-apiserver"),
		KubeControllerManager: filepath.Join(dir, "kube-controller-manager"),
		KubeScheduler:         filepath.Join(dir, "kube-scheduler"),
	}
	if bins.complete() {
		return bins, nil
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return Binaries{}, fmt.Errorf("create cache directory: %w", err)
	}
	unlock, err := gobuild.Lock(ctx, dir+".lock", "stratos-sandbox: waiting for another process building the sandbox binaries", log)
	if err != nil {
		return Binaries{}, err
	}
	defer unlock()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Binaries{}, fmt.Errorf("create cache directory: %w", err)
	}
	if !gobuild.Executable(bins.Etcd) {
		start := time.Now()
		fmt.Fprintf(log, "stratos-sandbox: building etcd %s (first use only)\n", EtcdVersion)
		if err := buildEtcd(ctx, bins.Etcd, log); err != nil {
			return Binaries{}, fmt.Errorf("build etcd %s: %w", EtcdVersion, err)
		}
		fmt.Fprintf(log, "stratos-sandbox: built etcd in %s\n", time.Since(start).Round(time.Second))
	}
	if !bins.complete() {
		start := time.Now()
		names := strings.Join(kubeCommands, ", ")
		fmt.Fprintf(log, "stratos-sandbox: building %s %s (first use only, takes minutes)\n", names, KubernetesVersion)
		if err := buildKubernetes(ctx, dir, log); err != nil {
			return Binaries{}, fmt.Errorf("build %s %s: %w", names, KubernetesVersion, err)
		}
		fmt.Fprintf(log, "stratos-sandbox: built %s in %s\n", names, time.Since(start).Round(time.Second))
	}
	return bins, nil
}

func (b Binaries) complete() bool {
	for _, path := range []string{b.Etcd, b.KubeAPIServer, b.KubeControllerManager, b.KubeScheduler} {
		if !gobuild.Executable(path) {
			return false
		}
	}
	return true
}

// buildInWrapper writes a throwaway module with goMod as its go.mod, builds
// the main packages of outputs (package path → installed binary path) in
// one `go build`, so packages they share compile once, and moves each binary
// into place atomically, so an interrupted build never leaves a half-written
// binary in the cache.
func buildInWrapper(ctx context.Context, goMod string, outputs map[string]string, ldflags string, log io.Writer) error {
	work, err := os.MkdirTemp("", "stratos-sandbox-build-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	if err := os.WriteFile(filepath.Join(work, "go.mod"), []byte(goMod), 0o644); err != nil {
		return err
	}
	args := []string{"build", "-trimpath"}
	if ldflags != "" {
		args = append(args, "-ldflags", ldflags)
	}
	var pkgs []string
	for pkg := range outputs {
		pkgs = append(pkgs, pkg)
	}
	sort.Strings(pkgs)
	// One package: -o names the file. Several: -o names a folder and go
	// build names each binary after its package's last path element.
	tmp := filepath.Join(work, "out") + string(filepath.Separator)
	if len(pkgs) == 1 {
		tmp = filepath.Join(work, "out", "bin")
	}
	args = append(append(args, "-o", tmp), pkgs...)
	if err := gobuild.Run(gobuild.Command(ctx, work, log, args...)); err != nil {
		return err
	}
	for _, pkg := range pkgs {
		built := filepath.Join(work, "out", pkg[strings.LastIndex(pkg, "/")+1:])
		if len(pkgs) == 1 {
			built = tmp
		}
		// Copied beside the destination first: the work folder may be on
		// another filesystem, and only a rename on the same one is atomic.
		if err := installFile(built, outputs[pkg]); err != nil {
			return err
		}
	}
	return nil
}

func installFile(from, to string) error {
	data, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	tmp := to + ".tmp"
	if err := os.WriteFile(tmp, data, 0o755); err != nil {
		return fmt.Errorf("install %s: %w", filepath.Base(to), err)
	}
	if err := os.Rename(tmp, to); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("install %s: %w", filepath.Base(to), err)
	}
	return nil
}

func buildEtcd(ctx context.Context, out string, log io.Writer) error {
	goMod := "module stratos.sh/sandbox-etcd-build\n\ngo 1.23\n\nrequire go.etcd.io/etcd/server/v3 " + EtcdVersion + "\n"
	return buildInWrapper(ctx, goMod, map[string]string{"go.etcd.io/etcd/server/v3": out}, "-s -w", log)
}

// stagingVersionOverrides pins staging modules whose release matching
// KubernetesVersion the module proxy does not serve ("403 This module version
// is not available" for k8s.io/endpointslice v0.32.13, which
// kube-controller-manager links for its endpoint controllers) to the nearest
// patch release it does; the sandbox does not run those controllers.
var stagingVersionOverrides = map[string]string{
	"k8s.io/endpointslice": "v0.32.12",
}

// buildKubernetes builds kubeCommands from k8s.io/kubernetes into outDir.
func buildKubernetes(ctx context.Context, outDir string, log io.Writer) error {
	kubeMod, err := gobuild.DownloadGoMod(ctx, "k8s.io/kubernetes@"+KubernetesVersion, log)
	if err != nil {
		return err
	}
	staging, goLine, err := stagingModules(kubeMod)
	if err != nil {
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "module stratos.sh/sandbox-kube-build\n\n%s\n\nrequire k8s.io/kubernetes %s\n\n", goLine, KubernetesVersion)
	// k8s.io/kubernetes points these at ./staging in its own repository; as a
	// dependency they must come from their published releases instead.
	stagingVersion := "v0" + strings.TrimPrefix(KubernetesVersion, "v1")
	for _, m := range staging {
		v := stagingVersion
		if override, ok := stagingVersionOverrides[m]; ok {
			v = override
		}
		fmt.Fprintf(&b, "replace %s => %s %s\n", m, m, v)
	}
	outputs := map[string]string{}
	for _, name := range kubeCommands {
		outputs["k8s.io/kubernetes/cmd/"+name] = filepath.Join(outDir, name)
	}
	return buildInWrapper(ctx, b.String(), outputs, versionLDFlags(), log)
}

// versionLDFlags stamps the version the build scripts of Kubernetes would,
// so /version and client-go report v1.32.13 rather than v0.0.0-master.
func versionLDFlags() string {
	major, minor, _ := strings.Cut(strings.TrimPrefix(KubernetesVersion, "v"), ".")
	minor, _, _ = strings.Cut(minor, ".")
	vars := [][2]string{
		{"gitVersion", KubernetesVersion},
		{"gitMajor", major},
		{"gitMinor", minor},
		{"gitTreeState", "clean"},
		{"buildDate", "1970-01-01T00:00:00Z"},
	}
	flags := []string{"-s", "-w"}
	for _, pkg := range []string{"k8s.io/component-base/version", "k8s.io/client-go/pkg/version"} {
		for _, kv := range vars {
			flags = append(flags, "-X", pkg+"."+kv[0]+"="+kv[1])
		}
	}
	return strings.Join(flags, " ")
}

// stagingModules lists the modules a go.mod replaces with ./staging paths,
// and returns its go directive so the wrapper asks for the same language version.
func stagingModules(goMod []byte) ([]string, string, error) {
	var mods []string
	goLine := "go 1.23"
	inReplace := false
	sc := bufio.NewScanner(bytes.NewReader(goMod))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if i := strings.Index(line, "//"); i >= 0 {
			line = strings.TrimSpace(line[:i])
		}
		switch {
		case strings.HasPrefix(line, "go "):
			goLine = line
			continue
		case line == "replace (":
			inReplace = true
			continue
		case inReplace && line == ")":
			inReplace = false
			continue
		}
		var spec string
		if inReplace {
			spec = line
		} else if rest, ok := strings.CutPrefix(line, "replace "); ok {
			spec = rest
		} else {
			continue
		}
		from, to, ok := strings.Cut(spec, "=>")
		if !ok {
			continue
		}
		fromFields := strings.Fields(from)
		to = strings.TrimSpace(to)
		if len(fromFields) == 0 || !strings.HasPrefix(to, "./staging/") {
			continue
		}
		mods = append(mods, fromFields[0])
	}
	if err := sc.Err(); err != nil {
		return nil, "", err
	}
	if len(mods) == 0 {
		return nil, "", errors.New("k8s.io/kubernetes go.mod replaces no ./staging modules; cannot build it as a dependency")
	}
	return mods, goLine, nil
}
