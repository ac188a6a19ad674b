package tfrun

import (
	"encoding/base64"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestPoolInstanceIDs(t *testing.T) {
	record := base64.StdEncoding.EncodeToString([]byte(`[{"id":"i-1","state":"standby"},{"id":"i-2","state":"running"}]`))
	private := base64.StdEncoding.EncodeToString([]byte(`{"instances":"` + record + `"}`))
	state := `{"version":4,"resources":[
  {"mode":"managed","type":"stratos_node_class","name":"bench","instances":[{"attributes":{}}]},
  {"mode":"data","type":"stratos_warm_pool","name":"bench","instances":[{"attributes":{}}]},
  {"mode":"managed","type":"stratos_warm_pool","name":"bench","instances":[{"attributes":{},"private":"` + private + `"}]}
]}`
	got, err := poolInstanceIDs([]byte(state), "stratos_warm_pool.bench")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"i-1", "i-2"}; !slices.Equal(got, want) {
		t.Errorf("poolInstanceIDs = %v, want %v", got, want)
	}
	if got, err := poolInstanceIDs([]byte(`{"resources":[]}`), "stratos_warm_pool.bench"); err != nil || len(got) != 0 {
		t.Errorf("no pool: got %v, %v", got, err)
	}
	other := base64.StdEncoding.EncodeToString([]byte(`{"instances":"` + base64.StdEncoding.EncodeToString([]byte(`[{"id":"i-3"}]`)) + `"}`))
	counted := `{"version":4,"resources":[
  {"mode":"managed","type":"stratos_warm_pool","name":"bench","instances":[
    {"index_key":0,"attributes":{},"private":"` + private + `"},
    {"index_key":1,"attributes":{},"private":"` + other + `"}]}
]}`
	if got, err := poolInstanceIDs([]byte(counted), "stratos_warm_pool.bench[1]"); err != nil || !slices.Equal(got, []string{"i-3"}) {
		t.Errorf("pool [1] of a counted resource: got %v, %v; want [i-3]", got, err)
	}
}

// Kill must reach a grandchild that left the process group, as a provider
// started by Terraform might.
func TestKillReachesDescendants(t *testing.T) {
	cmd := exec.Command("sh", "-c", "setsid sleep 60 & echo $!; wait")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 32)
	n, _ := out.Read(buf)
	var child int
	for _, c := range string(buf[:n]) {
		if c >= '0' && c <= '9' {
			child = child*10 + int(c-'0')
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for !slices.Contains(Descendants(cmd.Process.Pid), child) {
		if time.Now().After(deadline) {
			t.Fatalf("child %d never showed under %d: %v", child, cmd.Process.Pid, Descendants(cmd.Process.Pid))
		}
		time.Sleep(10 * time.Millisecond)
	}
	p := &Process{cmd: cmd}
	if err := p.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	for time.Now().Before(deadline) {
		if err := syscall.Kill(child, 0); err != nil {
			return
		}
		// A killed orphan is a zombie until init reaps it; its state says so.
		if raw, err := os.ReadFile("/proc/" + strconv.Itoa(child) + "/stat"); err != nil || zombie(raw) {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Errorf("grandchild %d outlived Kill", child)
}

func zombie(stat []byte) bool {
	for i := len(stat) - 1; i >= 0; i-- {
		if stat[i] == ')' {
			return i+2 < len(stat) && stat[i+2] == 'Z'
		}
	}
	return false
}

func TestPeakRSSOfThisProcess(t *testing.T) {
	if got := PeakRSS(os.Getpid()); got <= 0 {
		t.Errorf("PeakRSS(self) = %d", got)
	}
	if got := PeakRSS(-1); got != 0 {
		t.Errorf("PeakRSS(-1) = %d, want 0", got)
	}
}

// A child's own peak is what PeakRSS reads while it runs; the rusage of the
// reaped child would report this (large) process's memory instead.
func TestPeakRSSOfAChildIsItsOwn(t *testing.T) {
	ballast := make([]byte, 256<<20)
	for i := range ballast {
		ballast[i] = 1
	}
	cmd := exec.Command("sleep", "30")
	if err := cmd.Start(); err != nil {
		t.Skip("no sleep binary:", err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	var peak int64
	for range 50 {
		// Until the exec completes the child still shares this process's memory.
		if exe, _ := os.Readlink(fmt.Sprintf("/proc/%d/exe", cmd.Process.Pid)); strings.HasSuffix(exe, "/sleep") {
			peak = PeakRSS(cmd.Process.Pid)
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if peak <= 0 || peak > 64<<20 {
		t.Errorf("peak RSS of sleep = %d bytes, want its own few MB (this process holds %d MB)", peak, len(ballast)>>20)
	}
	runtime.KeepAlive(ballast)
}
