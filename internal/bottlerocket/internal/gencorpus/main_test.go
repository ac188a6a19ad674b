package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestCorpusUpToDate fails when testdata/documented-examples.json is not
// what the generator makes of the committed documentation snapshot (run
// `make bottlerocket-corpus`).
func TestCorpusUpToDate(t *testing.T) {
	out := filepath.Join(t.TempDir(), "documented-examples.json")
	if err := run("../../testdata/bottlerocket-docs/settings", out); err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("../../testdata/documented-examples.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("testdata/documented-examples.json is stale: run make bottlerocket-corpus")
	}
}
