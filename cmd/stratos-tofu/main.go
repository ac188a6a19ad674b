// Command stratos-tofu prints the path of the OpenTofu CLI the scripts and
// tests use, building it from the Go module proxy into the user's cache
// folder on first use (see internal/opentofu). Progress goes to stderr, so
// callers can capture the path: tofu="$(go run ./cmd/stratos-tofu)".
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"

	"github.com/stratos-sh/terraform-provider-stratos/internal/opentofu"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	bin, err := opentofu.Ensure(ctx, os.Stderr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "stratos-tofu:", err)
		os.Exit(1)
	}
	fmt.Println(bin)
}
