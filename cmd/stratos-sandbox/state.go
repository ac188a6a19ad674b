package main

import (
	"bufio"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Files in the state directory.
const (
	envFile  = "env"          // shell export lines, written by `run` once ready
	pidFile  = "pid"          // pid of the `run` process, written by `up`
	pidsFile = "children.pid" // pids of etcd and the Kubernetes control plane, one per line
	logFile  = "sandbox.log"  // output of the background `run`
	kubeDir  = "kube"         // apiserver data, keys, kubeconfig
)

// stateDir is $STRATOS_SANDBOX_DIR, or .sandbox at the root of the module
// the command runs in (so `make` from any subdirectory finds the same one).
func stateDir() (string, error) {
	if d := os.Getenv("STRATOS_SANDBOX_DIR"); d != "" {
		return filepath.Abs(d)
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, ".sandbox"), nil
		}
		if filepath.Dir(dir) == dir {
			return filepath.Join(wd, ".sandbox"), nil
		}
	}
}

func readPid(path string) (int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 {
		return 0, fmt.Errorf("%s holds no pid", path)
	}
	return pid, nil
}

func readPids(path string) []int {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	var pids []int
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if pid, err := strconv.Atoi(strings.TrimSpace(sc.Text())); err == nil && pid > 0 {
			pids = append(pids, pid)
		}
	}
	return pids
}

// writeFileAtomic makes a reader see either nothing or the whole file.
func writeFileAtomic(path string, data []byte, mode os.FileMode) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, mode); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// readEnv parses the export lines written by EnvFile.
func readEnv(path string) (map[string]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	env := map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimPrefix(strings.TrimSpace(line), "export ")
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		env[k] = strings.ReplaceAll(strings.Trim(v, "'"), `'\''`, "'")
	}
	return env, nil
}

// healthy reports whether the sandbox described by dir answers /healthz.
func healthy(dir string) bool {
	env, err := readEnv(filepath.Join(dir, envFile))
	if err != nil || env["STRATOS_SANDBOX_URL"] == "" {
		return false
	}
	client := &http.Client{Timeout: 2 * time.Second}
	resp, err := client.Get(env["STRATOS_SANDBOX_URL"] + "/healthz")
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

func isNotExist(err error) bool { return errors.Is(err, os.ErrNotExist) }
