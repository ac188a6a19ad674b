package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/stratos-sh/terraform-provider-stratos/internal/warmpool"
)

// show prints a pool's instances by state and each instance's node.
func show(args []string) error {
	fs := flag.NewFlagSet("show", flag.ContinueOnError)
	name := fs.String("pool", "demo", "the warm pool's name")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ec2c, err := ec2Client(ctx)
	if err != nil {
		return err
	}
	kube, err := kubeClient()
	if err != nil {
		return err
	}
	engine := &warmpool.Engine{EC2: ec2c, Kube: kube}
	id, err := engine.FindByName(ctx, *name, "")
	if err != nil {
		return err
	}
	obs, err := engine.Observe(ctx, id.PoolID)
	if err != nil {
		return err
	}

	// Instances on their way out are counted, not listed: they are no
	// longer the pool's capacity.
	byState := map[string]int{}
	var live []warmpool.Instance
	terminating := 0
	for _, i := range obs.Instances {
		if i.Gone() {
			terminating++
			continue
		}
		live = append(live, i)
		byState[string(i.State)+"/"+string(i.EC2State)]++
	}
	var counts []string
	for k, n := range byState {
		counts = append(counts, fmt.Sprintf("%d %s", n, k))
	}
	sort.Strings(counts)
	if terminating > 0 {
		counts = append(counts, fmt.Sprintf("(%d more terminating)", terminating))
	}
	fmt.Printf("Warm pool %q in cluster %q (pool id %s, node class %s version %d)\n", *name, id.Cluster, id.PoolID, id.NodeClass, id.NodeClassVersion)
	fmt.Printf("Instances by state (pool/EC2): %s\n\n", strings.Join(counts, ", "))

	tw := tabwriter.NewWriter(os.Stdout, 0, 2, 2, ' ', 0)
	fmt.Fprintln(tw, "INSTANCE\tSTATE\tEC2\tZONE\tTYPE\tNODE\tREADY\tCORDONED\tTAINTS")
	sort.Slice(live, func(a, b int) bool { return live[a].ID < live[b].ID })
	for _, i := range live {
		node := obs.Nodes[i.ID]
		nodeName, ready, cordoned, taints := "-", "-", "-", "-"
		if node != nil {
			nodeName, ready, cordoned, taints = node.Name, readiness(node), fmt.Sprint(node.Spec.Unschedulable), taintList(node)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", i.ID, i.State, i.EC2State, i.AvailabilityZone, i.InstanceType, nodeName, ready, cordoned, taints)
	}
	return tw.Flush()
}

func readiness(n *corev1.Node) string {
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			return string(c.Status)
		}
	}
	return "?"
}

func taintList(n *corev1.Node) string {
	var out []string
	for _, t := range n.Spec.Taints {
		out = append(out, t.Key+":"+string(t.Effect))
	}
	return strings.Join(out, ",")
}
