package main

import (
	"os"
	"strings"
	"testing"
)

// quickStartMarker precedes the README's quick-start block: the README says
// `make demo` applies exactly that block, so it must be examples/demo/main.tf.
const quickStartMarker = "<!-- quick start: examples/demo/main.tf, verbatim (cmd/stratos-demo TestReadmeQuickStartIsTheDemo) -->"

func TestReadmeQuickStartIsTheDemo(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	demo, err := os.ReadFile("../../examples/demo/main.tf")
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(readme), quickStartMarker)
	if !ok {
		t.Fatalf("README.md lacks the quick-start marker %q", quickStartMarker)
	}
	body, ok := strings.CutPrefix(strings.TrimLeft(after, "\n"), "```terraform\n")
	if !ok {
		t.Fatal("the quick-start marker is not followed by a ```terraform block")
	}
	block, _, ok := strings.Cut(body, "```\n")
	if !ok {
		t.Fatal("the README's quick-start block is not closed")
	}
	if block != string(demo) {
		t.Errorf("the README's quick start differs from examples/demo/main.tf, which make demo applies; copy the file into the README")
	}
}
