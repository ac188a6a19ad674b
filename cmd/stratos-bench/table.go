package main

import (
	"fmt"
	"io"
	"runtime"
	"strings"
	"time"
)

// printTable writes the rows as a Markdown table, ready for the README.
func printTable(w io.Writer, rows []row, opts options) {
	fmt.Fprintf(w, "\nstratos-bench %s, %s/%s, %d CPUs; sandbox latencies: launch 2s, boot 5s, cni 2s, stop 3s, start 2s, terminate 1s (create critical path 12s)\n\n",
		time.Now().UTC().Format("2006-01-02 15:04 UTC"), runtime.GOOS, runtime.GOARCH, runtime.NumCPU())
	if opts.repeat > 1 {
		fmt.Fprintf(w, "No-change apply and plan: the median of %d runs.\n\n", opts.repeat)
	}
	fmt.Fprintln(w, "| N | operation | wall | minus no-op apply | ÷ critical path | EC2 calls | Kubernetes requests (provider) | apiserver requests (all) | provider peak RSS | provider CPU | plan lines (pool / all) |")
	fmt.Fprintln(w, "|---:|---|---:|---:|---:|---|---|---:|---:|---:|---:|")
	for _, r := range rows {
		minus, ratio, lines := "-", "-", "-"
		if r.planLines > 0 {
			lines = fmt.Sprintf("%d / %d", r.poolPlanLines, r.planLines)
		}
		if r.op != opNoop && !strings.HasPrefix(r.op, "plan") {
			d := max(r.wall-r.noop, 0)
			minus = seconds(d)
			if r.critical > 0 {
				ratio = fmt.Sprintf("%.2f", d.Seconds()/r.critical.Seconds())
			}
		}
		fmt.Fprintf(w, "| %d | %s | %s | %s | %s | %s | %s | %d | %s | %s | %s |\n",
			r.size, r.op, seconds(r.wall), minus, ratio,
			shorten(r.ec2.String()), shorten(r.kube.String()), r.apiAll.Total(), megabytes(r.peakRSS), seconds(r.cpu), lines)
	}
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
