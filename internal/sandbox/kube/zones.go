package kube

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// ZoneState is the node lifecycle controller's verdict on a zone.
type ZoneState string

// The states of k8s.io/kubernetes pkg/controller/nodelifecycle
// (node_lifecycle_controller.go: stateNormal, statePartialDisruption,
// stateFullDisruption).
const (
	ZoneNormal            ZoneState = "Normal"
	ZonePartialDisruption ZoneState = "PartialDisruption"
	ZoneFullDisruption    ZoneState = "FullDisruption"
)

// unhealthyZoneThreshold is kube-controller-manager's default
// --unhealthy-zone-threshold, which the sandbox does not change.
const unhealthyZoneThreshold = 0.55

// Zone is one zone as kube-controller-manager's node lifecycle controller
// sees it, read from its metrics node_collector_zone_size and
// node_collector_unhealthy_nodes_in_zone (set on every monitor pass, every
// 5 s).
type Zone struct {
	// Region and Name are the node labels topology.kubernetes.io/region
	// and /zone the controller keys zones by.
	Region, Name string
	// Size counts the zone's nodes; Unhealthy those whose Ready condition
	// is not True (False or Unknown).
	Size, Unhealthy int
	// State applies the controller's ComputeZoneState to the counts: Full
	// when no node is ready, Partial when more than 2 and at least 55 % are
	// not, Normal otherwise.
	State ZoneState
}

// Zones scrapes kube-controller-manager's metrics for the node lifecycle
// controller's zones that have nodes, sorted by region and name. A zone
// appears once the controller has seen a node in it.
func (c *Cluster) Zones(ctx context.Context) ([]Zone, error) {
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(c.pki.caPEM)
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	defer client.CloseIdleConnections()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.controllerManagerURL+"/metrics", nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("read kube-controller-manager metrics: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("read kube-controller-manager metrics: %s", resp.Status)
	}
	return parseZoneMetrics(resp.Body)
}

func parseZoneMetrics(r io.Reader) ([]Zone, error) {
	zones := map[string]*Zone{}
	zone := func(key string) *Zone {
		z := zones[key]
		if z == nil {
			// utilnode.GetZoneKey: region + ":\x00:" + zone.
			region, name, _ := strings.Cut(key, ":\x00:")
			z = &Zone{Region: region, Name: name}
			zones[key] = z
		}
		return z
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	for sc.Scan() {
		line := sc.Text()
		name, rest, ok := strings.Cut(line, "{")
		if !ok || (name != "node_collector_zone_size" && name != "node_collector_unhealthy_nodes_in_zone") {
			continue
		}
		key, value, ok := zoneSample(rest)
		if !ok {
			return nil, fmt.Errorf("unexpected metric line %q", line)
		}
		if name == "node_collector_zone_size" {
			zone(key).Size = value
		} else {
			zone(key).Unhealthy = value
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read kube-controller-manager metrics: %w", err)
	}
	out := make([]Zone, 0, len(zones))
	for _, z := range zones {
		if z.Size == 0 {
			// The controller keeps reporting a zone whose last node left
			// it (e.g. the empty zone of a node not yet initialized by the
			// cloud controller); it has no state to speak of.
			continue
		}
		z.State = zoneState(z.Size-z.Unhealthy, z.Unhealthy)
		out = append(out, *z)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Region != out[j].Region {
			return out[i].Region < out[j].Region
		}
		return out[i].Name < out[j].Name
	})
	return out, nil
}

// zoneSample reads `zone="<key>"} <value>` (the rest of a sample line after
// its opening brace). The exposition format escapes only \, " and newline.
func zoneSample(rest string) (string, int, bool) {
	rest, ok := strings.CutPrefix(rest, `zone="`)
	if !ok {
		return "", 0, false
	}
	var key strings.Builder
	for i := 0; i < len(rest); i++ {
		switch ch := rest[i]; {
		case ch == '\\' && i+1 < len(rest):
			i++
			if rest[i] == 'n' {
				key.WriteByte('\n')
			} else {
				key.WriteByte(rest[i])
			}
		case ch == '"':
			value, ok := strings.CutPrefix(rest[i+1:], "} ")
			if !ok {
				return "", 0, false
			}
			f, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
			if err != nil {
				return "", 0, false
			}
			return key.String(), int(f), true
		default:
			key.WriteByte(ch)
		}
	}
	return "", 0, false
}

// zoneState is ComputeZoneState of k8s.io/kubernetes
// pkg/controller/nodelifecycle/node_lifecycle_controller.go (v1.32).
func zoneState(ready, notReady int) ZoneState {
	switch {
	case ready == 0 && notReady > 0:
		return ZoneFullDisruption
	case notReady > 2 && float32(notReady)/float32(notReady+ready) >= unhealthyZoneThreshold:
		return ZonePartialDisruption
	default:
		return ZoneNormal
	}
}
