// Command stratos-sandbox runs the local AWS + EKS sandbox.
//
//	stratos-sandbox up     start it in the background (reuses a healthy one), write .sandbox/env
//	stratos-sandbox down   stop it, wait for every process, remove .sandbox/
//	stratos-sandbox run    run it in the foreground (what `up` starts)
//	stratos-sandbox build  only build and cache etcd and the Kubernetes control plane
//	stratos-sandbox env    print .sandbox/env
//
// State lives in .sandbox/ at the repository root (the nearest parent with a
// go.mod), or in $STRATOS_SANDBOX_DIR.
package main

import (
	"fmt"
	"io"
	"os"
)

func main() {
	os.Exit(cli(os.Args[1:], os.Stdout, os.Stderr))
}

func cli(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "up":
		err = up(stdout, stderr)
	case "down":
		err = down(stdout)
	case "run":
		err = runForeground(stderr)
	case "build":
		err = build(stderr)
	case "env":
		err = printEnv(stdout)
	case "-h", "--help", "help":
		fmt.Fprintln(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "unknown command %q\n%s\n", args[0], usage)
		return 2
	}
	if err != nil {
		fmt.Fprintf(stderr, "stratos-sandbox %s: %v\n", args[0], err)
		return 1
	}
	return 0
}

const usage = `usage: stratos-sandbox up|down|run|build|env

  up     start the sandbox in the background (reuses a healthy one) and write .sandbox/env
  down   stop the sandbox and remove .sandbox/
  run    run the sandbox in the foreground
  build  build and cache etcd and the Kubernetes control plane only
  env    print .sandbox/env`
