package bottlerocket

// The conformance corpus of documented examples (corpus_test.go) is
// generated from the committed documentation snapshot.
//go:generate go run ./internal/gencorpus -in testdata/bottlerocket-docs/settings -out testdata/documented-examples.json
