package warmpool

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/stratos-sh/terraform-provider-stratos/internal/bottlerocket"
	"github.com/stratos-sh/terraform-provider-stratos/internal/keys"
	"github.com/stratos-sh/terraform-provider-stratos/internal/nodeclass"
)

// PoolConfigHash identifies everything that shapes a pool's instances: the
// node class version and the pool's own labels and taints. It is computable
// at plan time, so a plan can tell which standby instances are outdated.
func PoolConfigHash(nodeClass string, version int64, labels map[string]string, taints []bottlerocket.Taint) string {
	var b strings.Builder
	fmt.Fprintf(&b, "node-class=%s\nversion=%d\n", nodeClass, version)
	keys := make([]string, 0, len(labels))
	for k := range labels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "label %q=%q\n", k, labels[k])
	}
	ts := make([]string, 0, len(taints))
	for _, t := range taints {
		effect, _ := bottlerocket.NormalizeTaintEffect(t.Effect)
		ts = append(ts, strconv.Quote(t.Key)+"="+strconv.Quote(t.Value)+":"+effect)
	}
	sort.Strings(ts)
	for _, t := range ts {
		fmt.Fprintf(&b, "taint %s\n", t)
	}
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:])[:16]
}

// PoolUserData renders the user data a pool launches with: the node class's
// settings, the pool's labels and taints, the markers every pool node
// carries, and the warmup taint that keeps workloads off until verified. A
// pool label or taint that contradicts the node class is an error, never a
// silent override.
func PoolUserData(pool Pool, nodeClass nodeclass.Info) (*bottlerocket.Document, []bottlerocket.Problem) {
	labels := map[string]string{}
	for k, v := range pool.Labels {
		labels[k] = v
	}
	for k, v := range pool.Markers() {
		labels[k] = v
	}
	labels[keys.State] = string(StateWarmup)
	// The warmup taint goes last so that problems index the pool's own taints as given.
	taints := append(append([]bottlerocket.Taint{}, pool.Taints...), bottlerocket.Taint{Key: keys.TaintWarmup, Value: "true", Effect: "NoSchedule"})
	return bottlerocket.Render(bottlerocket.Input{
		CustomUserData: []string{nodeClass.TOML},
		NodeLabels:     labels,
		NodeTaints:     taints,
		Variant:        nodeClass.Variant,
		Strict:         true,
		Compression:    bottlerocket.Compression(nodeClass.Compression),
	})
}

// Markers are the labels every node of the pool carries from registration.
func (p Pool) Markers() map[string]string {
	return map[string]string{
		keys.PoolID:     p.ID(),
		keys.Pool:       p.Name,
		keys.Cluster:    p.Cluster,
		keys.ManagedBy:  keys.ManagedByValue,
		keys.ConfigHash: p.Launch.ConfigHash,
	}
}

// EncodeUserData is what RunInstances takes: base64 of the document's bytes.
func EncodeUserData(doc *bottlerocket.Document) string {
	return base64.StdEncoding.EncodeToString(doc.Bytes)
}
