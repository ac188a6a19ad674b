package main

import (
	"bytes"
	"encoding/json"
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

// TestErrataApply fails when an erratum names no documented example, or
// its example no longer has the text it corrects (the documentation was
// fixed or changed): a stale erratum is removed, not left to do nothing.
func TestErrataApply(t *testing.T) {
	out := filepath.Join(t.TempDir(), "documented-examples.json")
	if err := run("../../testdata/bottlerocket-docs/settings", out); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var c Corpus
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	applied := map[string]bool{}
	for _, cs := range c.Cases {
		if cs.Erratum != "" {
			applied[cs.Name] = true
		}
	}
	for name, fix := range errata {
		if !applied[name] {
			t.Errorf("erratum %q (%q -> %q) corrects no documented example", name, fix.old, fix.new)
		}
	}
}
