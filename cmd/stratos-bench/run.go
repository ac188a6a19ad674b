package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"k8s.io/client-go/tools/clientcmd"

	"github.com/stratos-sh/terraform-provider-stratos/internal/sandbox"
	"github.com/stratos-sh/terraform-provider-stratos/internal/sandbox/sandboxtest"
	"github.com/stratos-sh/terraform-provider-stratos/internal/scaletest"
	"github.com/stratos-sh/terraform-provider-stratos/internal/scaletest/kubecount"
	"github.com/stratos-sh/terraform-provider-stratos/internal/scaletest/tfrun"
	"github.com/stratos-sh/terraform-provider-stratos/internal/warmpool"
)

// Operations, in the order they run for each size.
const (
	opCreate = "apply (create)"
	opNoop   = "apply (no changes)"
	opPlan   = "plan (no changes)"
	// What a reviewer reads: plans of the changes CI shows most, measured
	// in lines of `terraform plan -no-color` output (nothing is applied).
	opPlanSize      = "plan (size N → N±2)"
	opPlanRunning   = "plan (running → N/10)"
	opPlanNodeClass = "plan (node class change)"
	opStart         = "apply (running 0 → N/10)"
	opDrain         = "apply (running N/10 → 0)"
	opDestroy       = "destroy"
)

// row is one measured Terraform command.
type row struct {
	size     int
	op       string
	wall     time.Duration
	noop     time.Duration // the same size's no-op apply
	critical time.Duration
	ec2      scaletest.Calls
	kube     kubecount.Counts // the provider's own requests
	apiAll   kubecount.Counts // every apiserver request (simulated kubelets too)
	peakRSS  int64
	cpu      time.Duration // the provider's user + system time
	// planLines are the lines of a plan's output: all of them, and the
	// pool resource's block alone (zero for other commands).
	planLines, poolPlanLines int
	// limited rows ran under EC2's modelled rate limits: throttled counts
	// the calls the sandbox answered RequestLimitExceeded (also in ec2),
	// runTokens is RunInstances' resource bucket when the command started
	// and bucketWait the part of critical the bucket imposes.
	limited    bool
	throttled  scaletest.Calls
	runTokens  float64
	bucketWait time.Duration
	// group names the comparison the row belongs to (clustercost.go; ""
	// for the sizes), scenario what was measured in it, baseline whether
	// it is what the others are compared with; pools is how many pools of
	// size the configuration holds.
	group, scenario string
	baseline        bool
	pools           int
}

type bench struct {
	sb     *sandbox.Sandbox
	proxy  *kubecount.Proxy
	setup  *tfrun.Setup
	env    []string // the provider process's environment
	work   string
	config scaletest.Sandbox
	log    io.Writer
}

func run(ctx context.Context, opts options, log io.Writer) ([]row, error) {
	work := opts.workDir
	if work == "" {
		dir, err := os.MkdirTemp("", "stratos-bench-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(dir)
		work = dir
	}
	if err := os.MkdirAll(work, 0o755); err != nil {
		return nil, err
	}
	b := &bench{work: work, log: log}
	if err := b.start(ctx, opts); err != nil {
		return nil, err
	}
	defer b.close()
	var rows []row
	for _, n := range opts.sizes {
		got, err := b.measureSize(ctx, n, opts)
		rows = append(rows, got...)
		if err != nil {
			return rows, fmt.Errorf("size %d: %w", n, err)
		}
	}
	if opts.busyPods > 0 {
		got, err := b.measureBusyCluster(ctx, opts)
		rows = append(rows, got...)
		if err != nil {
			return rows, fmt.Errorf("busy cluster: %w", err)
		}
	}
	if opts.pools > 0 {
		got, err := b.measureManyPools(ctx, opts)
		rows = append(rows, got...)
		if err != nil {
			return rows, fmt.Errorf("many pools: %w", err)
		}
	}
	if opts.limitsSize > 0 {
		got, err := b.measureLimits(ctx, opts)
		rows = append(rows, got...)
		if err != nil {
			return rows, fmt.Errorf("size %d under EC2 rate limits: %w", opts.limitsSize, err)
		}
	}
	return rows, nil
}

func (b *bench) start(ctx context.Context, opts options) error {
	tf := opts.terraform
	if tf == "" {
		var err error
		if tf, err = tfrun.FindTerraform(); err != nil {
			return err
		}
	}
	if opts.provider != "" {
		rc := filepath.Join(b.work, "terraformrc")
		body := tfrun.DevOverridesConfig(filepath.Dir(opts.provider))
		if err := os.WriteFile(rc, []byte(body), 0o644); err != nil {
			return err
		}
		b.setup = &tfrun.Setup{Terraform: tf, Provider: opts.provider, CLIConfig: rc}
	} else {
		root, err := tfrun.ModuleRoot(".")
		if err != nil {
			return err
		}
		progress(b.log, "building the provider")
		if b.setup, err = tfrun.NewSetup(ctx, tf, root, b.work); err != nil {
			return err
		}
	}

	sandboxLog := io.Discard
	if opts.sandboxLog != "" {
		f, err := os.Create(opts.sandboxLog)
		if err != nil {
			return err
		}
		sandboxLog = f
	}
	progress(b.log, "starting the sandbox (the first run on a machine builds the Kubernetes control plane: minutes)")
	cfg := benchConfig()
	var err error
	b.sb, err = sandbox.Start(ctx, sandbox.Options{Dir: filepath.Join(b.work, "sandbox"), Config: &cfg, Log: sandboxLog})
	if err != nil {
		return fmt.Errorf("start sandbox: %w", err)
	}
	// The provider runs as the documented ClusterRole's user, as in the
	// acceptance tests: the proxy forwards with that user's credentials, so
	// the real apiserver's RBAC refuses whatever the docs do not grant.
	roleKubeconfig, err := sandboxtest.BindProvider(ctx, b.sb, b.work)
	if err != nil {
		return fmt.Errorf("bind the provider's ClusterRole: %w", err)
	}
	roleConfig, err := clientcmd.BuildConfigFromFlags("", roleKubeconfig)
	if err != nil {
		return err
	}
	b.proxy, err = kubecount.StartProxy(roleConfig)
	if err != nil {
		return err
	}
	kubeconfig := filepath.Join(b.work, "kubeconfig-counted")
	if err := b.proxy.WriteKubeconfig(kubeconfig); err != nil {
		return err
	}
	env := b.sb.Env()
	env["KUBE_CONFIG_PATH"] = kubeconfig
	env["KUBECONFIG"] = kubeconfig
	env["AWS_CA_BUNDLE"] = ""
	for k, v := range env {
		b.env = append(b.env, k+"="+v)
	}
	ami, ok := b.sb.World().ImageID("aws-k8s-1.32", "x86_64")
	if !ok {
		return fmt.Errorf("the sandbox has no aws-k8s-1.32 x86_64 image")
	}
	b.config = scaletest.Sandbox{Env: b.sb.Env(), AMI: ami}
	return nil
}

func (b *bench) close() {
	if b.proxy != nil {
		_ = b.proxy.Close()
	}
	if b.sb != nil {
		_ = b.sb.Close()
	}
}

// PoolConfigChange edits the pool's configuration before a step.
type PoolConfigChange func(*scaletest.PoolConfig)

// step is one measured Terraform command, run after config (if any) has
// changed the pool's configuration.
type step struct {
	op     string
	config PoolConfigChange
	args   []string
}

// measureSize creates a pool of n, applies and plans it unchanged, and destroys it.
func (b *bench) measureSize(ctx context.Context, n int, opts options) ([]row, error) {
	name := fmt.Sprintf("bench-%d", n)
	ws, err := b.setup.NewWorkspace(filepath.Join(b.work, name))
	if err != nil {
		return nil, err
	}
	running := max(1, n/10)
	none := 0
	resized := n + 2
	if resized > warmpool.MaxSize {
		resized = n - 2
	}
	var steps []step
	for _, s := range []step{
		{opCreate, nil, []string{"apply", "-auto-approve"}},
		{opNoop, nil, []string{"apply", "-auto-approve"}},
		{opPlan, nil, []string{"plan", "-detailed-exitcode"}},
		{opPlanSize, func(c *scaletest.PoolConfig) { c.Size = resized }, []string{"plan"}},
		{opPlanRunning, func(c *scaletest.PoolConfig) { c.Running = &running }, []string{"plan"}},
		{opPlanNodeClass, func(c *scaletest.PoolConfig) { c.Revision = 1 }, []string{"plan"}},
		{opStart, func(c *scaletest.PoolConfig) { c.Running = &running }, []string{"apply", "-auto-approve"}},
		{opDrain, func(c *scaletest.PoolConfig) { c.Running = &none }, []string{"apply", "-auto-approve"}},
		{opDestroy, nil, []string{"destroy", "-auto-approve"}},
	} {
		if !opts.skipRunning || (s.op != opStart && s.op != opDrain) {
			steps = append(steps, s)
		}
	}
	return b.measureSteps(ctx, ws, scaletest.PoolConfig{Name: name, Size: n}, steps, opts)
}

// measureSteps applies the node class alone (unmeasured: what follows is
// compared), then measures the steps on the pool (or pools) of pool. The
// steps begin with a create and may include a no-change apply, which the
// other rows are compared with.
func (b *bench) measureSteps(ctx context.Context, ws *tfrun.Workspace, pool scaletest.PoolConfig, steps []step, opts options) ([]row, error) {
	n := pool.Size
	if err := ws.WriteConfig(scaletest.PoolConfig{Name: pool.Name, Size: -1}.HCL(b.config)); err != nil {
		return nil, err
	}
	progress(b.log, "N=%d: node class", n)
	if _, _, err := b.measure(ctx, ws, n, "setup", "apply", "-auto-approve"); err != nil {
		return nil, err
	}
	if err := ws.WriteConfig(pool.HCL(b.config)); err != nil {
		return nil, err
	}
	controlPlane := b.sb.Cluster().ProcessStats()
	defer b.reportControlPlane(n, controlPlane)
	var rows []row
	for _, step := range steps {
		if step.config != nil {
			cfg := pool
			step.config(&cfg)
			if err := ws.WriteConfig(cfg.HCL(b.config)); err != nil {
				return rows, err
			}
		}
		progress(b.log, "N=%d: %s", n, step.op)
		repeat := 1
		if step.op == opNoop || step.args[0] == "plan" {
			repeat = opts.repeat
		}
		r, out, err := b.measureMedian(ctx, ws, n, repeat, step.op, step.args...)
		if step.args[0] == "plan" {
			r.planLines, r.poolPlanLines = planLines(out.Stdout, scaletest.PoolAddress)
		}
		if step.op == opPlan && err != nil {
			err = fmt.Errorf("plan of an unchanged pool is not empty: %w", err)
		}
		if err != nil {
			return rows, err
		}
		if step.op == opCreate || step.op == opReplace {
			if err := b.checkPools(ctx, ws, pool); err != nil {
				return rows, err
			}
		}
		rows = append(rows, r)
		if step.op == opPlan && opts.hold {
			if err := b.holdFor(ws); err != nil {
				return rows, err
			}
		}
	}
	for _, r := range rows {
		if r.op == opNoop {
			for i := range rows {
				rows[i].noop = r.wall
			}
		}
	}
	return rows, nil
}

// holdFor writes the workspace's environment to env.sh beside it and waits
// for a line on standard input.
func (b *bench) holdFor(ws *tfrun.Workspace) error {
	var script strings.Builder
	for _, kv := range append(append([]string{}, b.env...), "TF_CLI_CONFIG_FILE="+b.setup.CLIConfig) {
		k, v, _ := strings.Cut(kv, "=")
		fmt.Fprintf(&script, "export %s=%q\n", k, v)
	}
	envFile := filepath.Join(ws.Dir, "env.sh")
	if err := os.WriteFile(envFile, []byte(script.String()), 0o600); err != nil {
		return err
	}
	progress(b.log, "holding: cd %s && source env.sh && %s plan — press Enter to go on", ws.Dir, b.setup.Terraform)
	_, err := bufio.NewReader(os.Stdin).ReadString('\n')
	return err
}

// measureMedian runs a command that changes nothing repeat times and keeps
// the run of median wall time.
func (b *bench) measureMedian(ctx context.Context, ws *tfrun.Workspace, n, repeat int, op string, args ...string) (row, tfrun.Result, error) {
	type run struct {
		row
		res tfrun.Result
	}
	var runs []run
	for range repeat {
		r, res, err := b.measure(ctx, ws, n, op, args...)
		if err != nil {
			return r, res, err
		}
		runs = append(runs, run{r, res})
	}
	sort.Slice(runs, func(i, j int) bool { return runs[i].wall < runs[j].wall })
	return runs[len(runs)/2].row, runs[len(runs)/2].res, nil
}

// planLines counts a plan's output lines, and those of the block of the
// resource at address ("# <address> will be …" to its closing brace).
func planLines(out, address string) (all, resource int) {
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	in := false
	for _, l := range lines {
		if strings.HasPrefix(strings.TrimSpace(l), "# "+address+" ") {
			in = true
		}
		if in {
			resource++
			in = l != "    }"
		}
	}
	return len(lines), resource
}

// measure runs one terraform command with a provider process of its own
// and collects what it cost.
func (b *bench) measure(ctx context.Context, ws *tfrun.Workspace, n int, op string, args ...string) (row, tfrun.Result, error) {
	provider, err := tfrun.StartDebugProvider(ctx, b.setup.Provider, b.env)
	if err != nil {
		return row{}, tfrun.Result{}, err
	}
	ws.Env = []string{provider.Env()}
	runTokens, _ := b.sb.World().ResourceTokens("RunInstances")
	b.sb.World().ResetStats()
	b.proxy.Reset()
	apiBefore, err := kubecount.Scrape(ctx, b.sb.Kubernetes())
	if err != nil {
		_, _ = provider.Stop()
		return row{}, tfrun.Result{}, err
	}
	res, runErr := ws.Run(ctx, args...)
	r := row{size: n, op: op, wall: res.Duration, runTokens: runTokens}
	r.critical, r.bucketWait = criticalPath(b.sb.World().Config(), op, n, runTokens)
	stats := b.sb.World().Stats()
	r.ec2, r.throttled = scaletest.Calls(stats.Calls), scaletest.Calls(stats.Throttled)
	r.kube = b.proxy.Counts()
	apiAfter, err := kubecount.Scrape(ctx, b.sb.Kubernetes())
	if err == nil {
		r.apiAll = apiAfter.Sub(apiBefore)
	}
	usage, stopErr := provider.Stop()
	r.peakRSS, r.cpu = usage.PeakRSS, usage.CPU
	// Later commands (terraform show) launch a provider of their own.
	ws.Env = nil
	if runErr != nil {
		return r, res, runErr
	}
	if stopErr != nil {
		return r, res, stopErr
	}
	return r, res, err
}

// checkPools makes sure the measured create did what it claims: exactly
// the size of verified standby instances in each pool, all in state.
func (b *bench) checkPools(ctx context.Context, ws *tfrun.Workspace, pool scaletest.PoolConfig) error {
	names, addresses := pool.PoolNames()
	for k, name := range names {
		poolID := warmpool.PoolID(b.config.Env["STRATOS_SANDBOX_CLUSTER_NAME"], name)
		recorded, err := ws.PoolInstanceIDs(ctx, addresses[k])
		if err != nil {
			return err
		}
		audit, err := scaletest.AuditPool(ctx, b.sb.World(), b.sb.Kubernetes(), poolID, recorded)
		if err != nil {
			return err
		}
		if problems := audit.Problems(pool.Size); len(problems) > 0 {
			return fmt.Errorf("pool %s: %v", name, problems)
		}
	}
	return nil
}
