package cloud_test

import (
	"testing"

	"github.com/stratos-sh/terraform-provider-stratos/internal/sandbox/cloud"
)

func TestBottlerocketImageNamesTheVariant(t *testing.T) {
	w := cloud.NewWorld(cloud.Options{})
	defer w.Close()
	id, ok := w.ImageID("aws-k8s-1.31-nvidia", "arm64")
	if !ok {
		t.Fatal("no aws-k8s-1.31-nvidia arm64 image")
	}
	variant, version, ok := w.BottlerocketImage(id)
	if !ok || variant != "aws-k8s-1.31-nvidia" || version == "" {
		t.Fatalf("BottlerocketImage(%s) = %q, %q, %v", id, variant, version, ok)
	}
	if _, _, ok := w.BottlerocketImage("ami-0000000000000000"); ok {
		t.Fatal("an unknown AMI was described")
	}
}
