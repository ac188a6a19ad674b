package nodes

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stratos-sh/terraform-provider-stratos/internal/sandbox/cloud"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func taintStrings(taints []corev1.Taint) string {
	var s []string
	for _, t := range taints {
		s = append(s, t.ToString())
	}
	return strings.Join(s, ",")
}

func TestControllerTaints(t *testing.T) {
	now := time.Now()
	user := corev1.Taint{Key: "stratos.sh/standby", Effect: corev1.TaintEffectNoExecute}
	earlier := metav1.NewTime(now.Add(-time.Hour))
	for _, tc := range []struct {
		name          string
		taints        []corev1.Taint
		unschedulable bool
		health        nodeHealth
		want          string
	}{
		{"ready node loses not-ready", []corev1.Taint{user, {Key: notReadyTaint, Effect: corev1.TaintEffectNoSchedule}}, false, nodeReady, "stratos.sh/standby:NoExecute"},
		{"stopped node becomes unreachable", []corev1.Taint{user}, false, nodeUnreachable, "stratos.sh/standby:NoExecute,node.kubernetes.io/unreachable:NoSchedule,node.kubernetes.io/unreachable:NoExecute"},
		{"restarted node loses unreachable", []corev1.Taint{{Key: unreachableTaint, Effect: corev1.TaintEffectNoSchedule}, user, {Key: unreachableTaint, Effect: corev1.TaintEffectNoExecute}}, false, nodeReady, "stratos.sh/standby:NoExecute"},
		{"cordoned node", []corev1.Taint{user}, true, nodeReady, "stratos.sh/standby:NoExecute,node.kubernetes.io/unschedulable:NoSchedule"},
		{"not ready node", nil, false, nodeNotReady, "node.kubernetes.io/not-ready:NoSchedule"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			node := &corev1.Node{Spec: corev1.NodeSpec{Taints: tc.taints, Unschedulable: tc.unschedulable}}
			if got := taintStrings(controllerTaints(node, tc.health, now)); got != tc.want {
				t.Errorf("taints = %s, want %s", got, tc.want)
			}
		})
	}
	kept := &corev1.Node{Spec: corev1.NodeSpec{Taints: []corev1.Taint{{Key: unreachableTaint, Effect: corev1.TaintEffectNoExecute, TimeAdded: &earlier}}}}
	for _, taint := range controllerTaints(kept, nodeUnreachable, now) {
		if taint.Effect == corev1.TaintEffectNoExecute && !taint.TimeAdded.Equal(&earlier) {
			t.Errorf("a taint that stays must keep its timeAdded")
		}
	}
}

func TestCordonTaint(t *testing.T) {
	needCluster(t)
	ctx := context.Background()
	inst := newInstance("")
	send(cloud.InstanceRunning, inst)
	node := waitNodeReady(t, inst.PrivateDNSName, corev1.ConditionTrue)
	eventually(t, "cordon", func() string {
		node = getNode(t, inst.PrivateDNSName)
		node.Spec.Unschedulable = true
		if _, err := client.CoreV1().Nodes().Update(ctx, node, metav1.UpdateOptions{}); err != nil {
			return err.Error()
		}
		return ""
	})
	eventually(t, "unschedulable taint", func() string {
		if got := taintStrings(getNode(t, inst.PrivateDNSName).Spec.Taints); got != "node.kubernetes.io/unschedulable:NoSchedule" {
			return got
		}
		return ""
	})
}
