// Command stratos-bench measures the provider at scale: it starts the
// sandbox with realistic latencies, runs the real Terraform CLI (apply, a
// no-op apply, plan, destroy) against the provider built from this tree for
// each pool size, and prints one table of wall times, EC2 calls, Kubernetes
// requests and the provider's peak memory. Then it creates a pool of 1,000
// under EC2's modelled rate limits and replaces its node class, and prints
// a second table with the calls EC2 throttled and the critical path the
// limits impose. `make bench` runs it.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	var opts options
	var sizes string
	flag.StringVar(&sizes, "sizes", "10,100,500", "comma-separated pool sizes (\"\": none)")
	flag.BoolVar(&opts.large, "large", false, "also measure a pool of 1000")
	flag.StringVar(&opts.terraform, "terraform", "", "Terraform CLI (default: tfrun.FindTerraform)")
	flag.StringVar(&opts.provider, "provider", "", "provider binary (default: built from this module)")
	flag.StringVar(&opts.workDir, "work", "", "working directory (default: a temporary one, removed afterwards)")
	flag.StringVar(&opts.sandboxLog, "sandbox-log", "", "file for the sandbox's etcd/apiserver/simulator output")
	flag.BoolVar(&opts.skipRunning, "skip-running", false, "leave out the running 0 → N/10 → 0 steps (faster when only create and plan matter)")
	flag.IntVar(&opts.repeat, "repeat", 1, "run the no-change apply and plan this many times and report the median (a noisy machine's outliers)")
	flag.IntVar(&opts.limitsSize, "ec2-limits", 1000, "after the sizes, create a pool of this size under EC2's modelled rate limits and replace its node class (0 leaves it out)")
	flag.Float64Var(&opts.limitsTimeScale, "ec2-limits-time-scale", 2, "multiply every refill rate of the EC2 rate limits by this (1: the documented rates)")
	flag.IntVar(&opts.busyPods, "busy-pods", 20000, "measure a pool of 20 in an empty cluster and with this many background pods on other nodes (0 leaves it out)")
	flag.IntVar(&opts.pools, "pools", 8, "measure one pool of 10 and this many pools of 10 in one configuration (0 leaves it out)")
	flag.BoolVar(&opts.hold, "hold", false, "after the plan of each size, keep the pool and the sandbox until Enter is pressed, to profile by hand (the workspace's environment is written to env.sh beside it)")
	flag.Parse()
	if opts.limitsSize < 0 || opts.limitsSize > 1000 || opts.limitsTimeScale <= 0 {
		fmt.Fprintln(os.Stderr, "stratos-bench: -ec2-limits must be 0–1000 and -ec2-limits-time-scale positive")
		os.Exit(2)
	}
	if opts.busyPods < 0 || opts.pools < 0 || opts.pools > 50 {
		fmt.Fprintln(os.Stderr, "stratos-bench: -busy-pods must be 0 or more, -pools 0–50")
		os.Exit(2)
	}
	if opts.repeat < 1 {
		fmt.Fprintln(os.Stderr, "stratos-bench: -repeat must be at least 1")
		os.Exit(2)
	}
	for _, s := range strings.FieldsFunc(sizes, func(r rune) bool { return r == ',' }) {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 || n > 1000 {
			fmt.Fprintf(os.Stderr, "stratos-bench: bad size %q (1–1000)\n", s)
			os.Exit(2)
		}
		opts.sizes = append(opts.sizes, n)
	}
	if opts.large && !contains(opts.sizes, 1000) {
		opts.sizes = append(opts.sizes, 1000)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rows, err := run(ctx, opts, os.Stderr)
	if len(rows) > 0 {
		printTable(os.Stdout, rows, opts)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "stratos-bench: %v\n", err)
		os.Exit(1)
	}
}

type options struct {
	sizes       []int
	large       bool
	terraform   string
	provider    string
	workDir     string
	sandboxLog  string
	skipRunning bool
	repeat      int
	hold        bool
	// limitsSize is the pool measured under EC2's rate limits (0: none),
	// limitsTimeScale what their refill rates are multiplied by.
	limitsSize      int
	limitsTimeScale float64
	// busyPods are the background pods of the busy-cluster rows, pools the
	// pools of the many-pools rows (0: leave them out).
	busyPods, pools int
}

func contains(list []int, n int) bool {
	for _, v := range list {
		if v == n {
			return true
		}
	}
	return false
}

func progress(w io.Writer, format string, args ...any) {
	fmt.Fprintf(w, "%s stratos-bench: %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}
