package main

import (
	"fmt"
	"io"
	"runtime"
	"strings"
	"time"
)

// printTable writes the rows as Markdown tables, ready for the README: the
// sizes, then the rows measured under EC2's rate limits.
func printTable(w io.Writer, rows []row, opts options) {
	fmt.Fprintf(w, "\nstratos-bench %s, %s/%s, %d CPUs; sandbox latencies: launch 2s, boot 5s, cni 2s, stop 3s, start 2s, terminate 1s (create critical path 12s)\n\n",
		time.Now().UTC().Format("2006-01-02 15:04 UTC"), runtime.GOOS, runtime.GOARCH, runtime.NumCPU())
	var sizes, limited, clusterCost []row
	for _, r := range rows {
		switch {
		case r.limited:
			limited = append(limited, r)
		case r.group != "":
			clusterCost = append(clusterCost, r)
		default:
			sizes = append(sizes, r)
		}
	}
	if len(sizes) > 0 {
		printSizes(w, sizes, opts)
	}
	if len(clusterCost) > 0 {
		printClusterCost(w, clusterCost)
	}
	if len(limited) > 0 {
		printLimited(w, limited, opts)
	}
}

func printSizes(w io.Writer, rows []row, opts options) {
	if opts.repeat > 1 {
		fmt.Fprintf(w, "No-change apply and plan: the median of %d runs.\n\n", opts.repeat)
	}
	fmt.Fprintln(w, "| N | operation | wall | minus no-op apply | ÷ critical path | EC2 calls | Kubernetes requests (provider) | apiserver requests (all) | provider peak RSS | provider CPU | plan lines (pool / all) |")
	fmt.Fprintln(w, "|---:|---|---:|---:|---:|---|---|---:|---:|---:|---:|")
	for _, r := range rows {
		minus, ratio := againstCritical(r)
		lines := "-"
		if r.planLines > 0 {
			lines = fmt.Sprintf("%d / %d", r.poolPlanLines, r.planLines)
		}
		size, op := fmt.Sprint(r.size), r.op
		if r.pools > 1 {
			size = fmt.Sprintf("%d × %d", r.pools, r.size)
		}
		if r.scenario != "" {
			op += ", " + r.scenario
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s | %d | %s | %s | %s |\n",
			size, op, seconds(r.wall), minus, ratio,
			shorten(r.ec2.String()), shorten(r.kube.String()), r.apiAll.Total(), megabytes(r.peakRSS), seconds(r.cpu), lines)
	}
}

// printLimited writes the rows measured under EC2's rate limits, with the
// calls EC2 throttled and the critical path including the waits for
// RunInstances' resource bucket.
func printLimited(w io.Writer, rows []row, opts options) {
	fmt.Fprintf(w, "\nUnder %s.\n\n", describeLimits(limitedConfig(benchConfig(), opts.limitsSize, opts.limitsTimeScale).RateLimits, opts.limitsTimeScale))
	fmt.Fprintln(w, "| N | operation | wall | minus no-op apply | ÷ critical path | critical path (RunInstances bucket wait) | RunInstances tokens at start | EC2 calls | EC2 throttled | Kubernetes requests (provider) | provider peak RSS | provider CPU |")
	fmt.Fprintln(w, "|---:|---|---:|---:|---:|---:|---:|---|---|---|---:|---:|")
	for _, r := range rows {
		minus, ratio := againstCritical(r)
		critical := "-"
		if r.critical > 0 {
			critical = fmt.Sprintf("%s (%s)", seconds(r.critical), seconds(r.bucketWait))
		}
		fmt.Fprintf(w, "| %d | %s | %s | %s | %s | %s | %.0f | %s | %s | %s | %s | %s |\n",
			r.size, r.op, seconds(r.wall), minus, ratio, critical, r.runTokens,
			shorten(r.ec2.String()), shorten(r.throttled.String()), shorten(r.kube.String()), megabytes(r.peakRSS), seconds(r.cpu))
	}
}

// againstCritical is a changing command's wall time minus the no-op
// apply's (what Terraform costs at this size whatever the provider does),
// and that divided by the critical path.
func againstCritical(r row) (minus, ratio string) {
	if r.op == opNoop || strings.HasPrefix(r.op, "plan") {
		return "-", "-"
	}
	d := max(r.wall-r.noop, 0)
	ratio = "-"
	if r.critical > 0 {
		ratio = fmt.Sprintf("%.2f", d.Seconds()/r.critical.Seconds())
	}
	return seconds(d), ratio
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.1fs", d.Seconds()) }

func megabytes(b int64) string {
	if b <= 0 {
		return "?"
	}
	return fmt.Sprintf("%.0f MB", float64(b)/(1<<20))
}

// shorten drops the redundant parts of EC2 action names so the table stays readable.
func shorten(s string) string {
	for _, r := range []struct{ from, to string }{
		{"DescribeInstances", "Describe"}, {"Instances", ""}, {"LaunchTemplate", "LT"},
	} {
		s = strings.ReplaceAll(s, r.from, r.to)
	}
	return s
}
