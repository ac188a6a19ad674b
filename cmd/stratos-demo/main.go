// Command stratos-demo is what scripts/demo.sh (make demo) runs beside
// Terraform against the local sandbox:
//
//	stratos-demo show -pool demo
//	    the pool's instances by state, each with its node's readiness and
//	    the taints that keep workloads off it
//	stratos-demo wait-schedulable -pool demo -count 2 -since <unix ns>
//	    waits until that many of the pool's nodes are schedulable and prints
//	    the seconds since -since (when the apply started)
//	stratos-demo latency '{"launch": "20s", …}'
//	    sets the sandbox's simulated EC2 and boot latencies and prints them
package main

import (
	"fmt"
	"os"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, usage)
		os.Exit(2)
	}
	var err error
	switch cmd, args := os.Args[1], os.Args[2:]; cmd {
	case "show":
		err = show(args)
	case "wait-schedulable":
		err = waitSchedulable(args)
	case "latency":
		err = setLatency(args)
	default:
		fmt.Fprintf(os.Stderr, "stratos-demo: unknown command %q\n%s\n", cmd, usage)
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "stratos-demo:", err)
		os.Exit(1)
	}
}

const usage = "usage: stratos-demo show|wait-schedulable|latency [flags]"
