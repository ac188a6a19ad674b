package nodeclass_test

import (
	"strings"
	"testing"

	"github.com/stratos-sh/terraform-provider-stratos/internal/keys"
	"github.com/stratos-sh/terraform-provider-stratos/internal/nodeclass"
)

func TestVolumeProblems(t *testing.T) {
	i := func(v int32) *int32 { return &v }
	for _, tc := range []struct {
		name   string
		device nodeclass.BlockDevice
		field  string // "" when valid
	}{
		{"default gp3", nodeclass.BlockDevice{VolumeType: "gp3", VolumeSize: i(20)}, ""},
		{"gp3 at its limits", nodeclass.BlockDevice{VolumeType: "gp3", VolumeSize: i(160), IOPS: i(80000), Throughput: i(2000)}, ""},
		{"gp3 iops low", nodeclass.BlockDevice{VolumeType: "gp3", VolumeSize: i(20), IOPS: i(2999)}, "iops"},
		{"gp3 iops high", nodeclass.BlockDevice{VolumeType: "gp3", VolumeSize: i(1000), IOPS: i(80001)}, "iops"},
		{"gp3 iops per GiB", nodeclass.BlockDevice{VolumeType: "gp3", VolumeSize: i(10), IOPS: i(5001)}, "iops"},
		{"gp3 baseline iops on a small volume", nodeclass.BlockDevice{VolumeType: "gp3", VolumeSize: i(1), IOPS: i(3000)}, ""},
		{"gp3 throughput per iops", nodeclass.BlockDevice{VolumeType: "gp3", VolumeSize: i(20), Throughput: i(751)}, "throughput"},
		{"gp3 throughput with iops", nodeclass.BlockDevice{VolumeType: "gp3", VolumeSize: i(20), IOPS: i(4000), Throughput: i(1000)}, ""},
		{"gp3 throughput low", nodeclass.BlockDevice{VolumeType: "gp3", VolumeSize: i(20), Throughput: i(124)}, "throughput"},
		{"gp3 too large", nodeclass.BlockDevice{VolumeType: "gp3", VolumeSize: i(65537)}, "volume_size"},
		{"gp2 iops", nodeclass.BlockDevice{VolumeType: "gp2", VolumeSize: i(20), IOPS: i(3000)}, "iops"},
		{"gp2 throughput", nodeclass.BlockDevice{VolumeType: "gp2", VolumeSize: i(20), Throughput: i(125)}, "throughput"},
		{"gp2 too large", nodeclass.BlockDevice{VolumeType: "gp2", VolumeSize: i(16385)}, "volume_size"},
		{"no type is gp2", nodeclass.BlockDevice{VolumeSize: i(20), IOPS: i(3000)}, "iops"},
		{"io1 without iops", nodeclass.BlockDevice{VolumeType: "io1", VolumeSize: i(100)}, "iops"},
		{"io1 per GiB", nodeclass.BlockDevice{VolumeType: "io1", VolumeSize: i(100), IOPS: i(5001)}, "iops"},
		{"io1 within", nodeclass.BlockDevice{VolumeType: "io1", VolumeSize: i(100), IOPS: i(5000)}, ""},
		{"io2 per GiB", nodeclass.BlockDevice{VolumeType: "io2", VolumeSize: i(10), IOPS: i(10001)}, "iops"},
		{"io2 too small", nodeclass.BlockDevice{VolumeType: "io2", VolumeSize: i(3), IOPS: i(100)}, "volume_size"},
		{"st1 too small", nodeclass.BlockDevice{VolumeType: "st1", VolumeSize: i(124)}, "volume_size"},
		{"sc1 iops", nodeclass.BlockDevice{VolumeType: "sc1", VolumeSize: i(500), IOPS: i(100)}, "iops"},
		{"standard too large", nodeclass.BlockDevice{VolumeType: "standard", VolumeSize: i(1025)}, "volume_size"},
		{"snapshot size unknown", nodeclass.BlockDevice{VolumeType: "gp3", IOPS: i(16000)}, ""},
		{"unknown type", nodeclass.BlockDevice{VolumeType: "gp4"}, "volume_type"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			problems := tc.device.VolumeProblems()
			switch {
			case tc.field == "" && len(problems) > 0:
				t.Fatalf("valid volume refused: %+v", problems)
			case tc.field != "" && (len(problems) == 0 || problems[0].Field != tc.field):
				t.Fatalf("problems %+v, want one on %s", problems, tc.field)
			}
		})
	}
}

func TestTagRoom(t *testing.T) {
	tags := map[string]string{}
	if room := nodeclass.TagRoom(tags); room != 50-len(keys.InstanceTags) {
		t.Fatalf("room of a node class without tags: %d", room)
	}
	for k := range 35 {
		tags[strings.Repeat("t", k+1)] = "x"
	}
	room := nodeclass.TagRoom(tags)
	if room != -1 {
		t.Fatalf("room with 35 tags: %d, want -1", room)
	}
	if msg := nodeclass.TooManyTags(len(tags), room); !strings.Contains(msg, "would carry 51 tags") || !strings.Contains(msg, "remove 1 ") {
		t.Fatalf("message %q", msg)
	}
	tags["Name"] = "mine" // the pool's Name replaces it: no extra tag
	if got := nodeclass.TagRoom(tags); got != -1 {
		t.Fatalf("room with a Name tag: %d, want -1", got)
	}
}
