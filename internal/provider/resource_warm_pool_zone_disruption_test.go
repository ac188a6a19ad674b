package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	tfresource "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/stratos-sh/terraform-provider-stratos/internal/sandbox/sandboxtest"
)

// An update (size 3 → 4) while one Availability Zone is disrupted: the
// pool's filtered DescribeInstances fails (EC2 API reference,
// DescribeInstances), so the apply describes the instances recorded in
// state by id, launches the new instance in a healthy zone, and warns
// which zone it could not read. Without the recorded instances the engine
// knows nothing to describe by id and the update fails.
func TestAccWarmPool_updateDuringZoneDisruption(t *testing.T) {
	nc := newNCConfig(t)
	applies := &applyWarnings{}
	var disrupted string
	tfresource.Test(t, tfresource.TestCase{
		ProtoV6ProviderFactories: map[string]func() (tfprotov6.ProviderServer, error){
			"stratos": applies.factory(providerserver.NewProtocol6WithError(newWithHook("test", nil)())),
		},
		CheckDestroy: checkPoolDestroyed(t, nc.Name),
		Steps: []tfresource.TestStep{createPickingZone(t, nc, &disrupted), {
			PreConfig: func() {
				sandboxtest.Configure(t, fmt.Sprintf(`{"disrupted_zones": [%q]}`, disrupted))
				applies.reset()
			},
			Config:            fewRetries + poolConfig(nc, 4, ""),
			ConfigStateChecks: []statecheck.StateCheck{sizeIs(4)},
			Check: func(*terraform.State) error {
				want := "Availability Zone disrupted: warm pool " + nc.Name
				for _, w := range applies.list() {
					if strings.Contains(w, want) && strings.Contains(w, disrupted) {
						return checkLivePool(t, nc.Name, 4)(nil)
					}
				}
				return fmt.Errorf("the update did not warn that %s is disrupted; its warnings: %q", disrupted, applies.list())
			},
		}, {
			// The zone recovers; the pool is whole and destroys cleanly.
			PreConfig:         func() { sandboxtest.Configure(t, `{"disrupted_zones": []}`) },
			Config:            fewRetries + poolConfig(nc, 4, ""),
			ConfigStateChecks: []statecheck.StateCheck{standbyCount(t, nc.Name, 4)},
		}},
	})
}

// An update that cannot observe the pool at all (every zone disrupted,
// from the moment the apply starts) fails and keeps the instances recorded
// in state: when one zone recovers, the next refresh describes them by id
// and the apply converges. Had the failed update recorded no instances,
// that refresh would know nothing to describe by id and fail.
func TestAccWarmPool_failedUpdateKeepsRecordedInstances(t *testing.T) {
	nc := newNCConfig(t)
	var disrupted string
	disruptAll := &applyHook{}
	tfresource.Test(t, tfresource.TestCase{
		ProtoV6ProviderFactories: map[string]func() (tfprotov6.ProviderServer, error){
			"stratos": disruptAll.factory(providerserver.NewProtocol6WithError(newWithHook("test", nil)())),
		},
		CheckDestroy: checkPoolDestroyed(t, nc.Name),
		Steps: []tfresource.TestStep{createPickingZone(t, nc, &disrupted), {
			// The refresh and plan see every zone healthy; the apply does not.
			PreConfig: func() {
				disruptAll.set(func() {
					zones, _ := json.Marshal(sandboxtest.Get(t).World().AvailabilityZones())
					sandboxtest.Configure(t, fmt.Sprintf(`{"disrupted_zones": %s}`, zones))
				})
			},
			Config:      fewRetries + poolConfig(nc, 4, ""),
			ExpectError: regexp.MustCompile(`did not converge`),
		}, {
			PreConfig: func() {
				disruptAll.set(nil)
				sandboxtest.Configure(t, fmt.Sprintf(`{"disrupted_zones": [%q]}`, disrupted))
			},
			Config:            fewRetries + poolConfig(nc, 4, ""),
			ConfigStateChecks: []statecheck.StateCheck{sizeIs(4)},
		}, {
			PreConfig: func() { sandboxtest.Configure(t, `{"disrupted_zones": []}`) },
			Config:    fewRetries + poolConfig(nc, 4, ""),
			Check:     checkLivePool(t, nc.Name, 4),
		}},
	})
}

// applyHook runs a function when the provider is asked to apply a change
// to a warm pool, before the provider sees the request.
type applyHook struct {
	mu sync.Mutex
	fn func()
}

func (h *applyHook) set(fn func()) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.fn = fn
}

func (h *applyHook) factory(inner func() (tfprotov6.ProviderServer, error)) func() (tfprotov6.ProviderServer, error) {
	return func() (tfprotov6.ProviderServer, error) {
		server, err := inner()
		return hookedServer{ProviderServer: server, hook: h}, err
	}
}

type hookedServer struct {
	tfprotov6.ProviderServer
	hook *applyHook
}

func (s hookedServer) ApplyResourceChange(ctx context.Context, req *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, error) {
	s.hook.mu.Lock()
	fn := s.hook.fn
	s.hook.mu.Unlock()
	if fn != nil && req.TypeName == "stratos_warm_pool" {
		fn()
	}
	return s.ProviderServer.ApplyResourceChange(ctx, req)
}

// fewRetries: the SDK retries the calls a disruption fails (5xx) on its
// full schedule, by default 11 attempts backing off up to 20 s, which
// makes each refresh take minutes. Retries are not what the test is about.
const fewRetries = `
provider "stratos" {
  max_retries = 2
}
`

// zoneToDisrupt is the zone of one of the pool's live instances, provided
// another instance runs in a different zone (so the update has a healthy
// zone to read and launch in).
func zoneToDisrupt(t *testing.T, pool string) (string, error) {
	live, _ := poolInstances(t, pool)
	zones := map[string]int{}
	for _, id := range live {
		info, _, ok := sandboxtest.Get(t).World().Instance(id)
		if !ok {
			return "", fmt.Errorf("instance %s not in the sandbox", id)
		}
		zones[info.AvailabilityZone]++
	}
	if len(zones) < 2 {
		return "", fmt.Errorf("pool %s runs in %d zone(s) (%v); the test needs two", pool, len(zones), zones)
	}
	info, _, _ := sandboxtest.Get(t).World().Instance(live[0])
	return info.AvailabilityZone, nil
}

// applyWarnings records the warnings the provider returns from
// ApplyResourceChange (terraform-plugin-testing does not expose them).
type applyWarnings struct {
	mu       sync.Mutex
	warnings []string
}

func (a *applyWarnings) factory(inner func() (tfprotov6.ProviderServer, error)) func() (tfprotov6.ProviderServer, error) {
	return func() (tfprotov6.ProviderServer, error) {
		server, err := inner()
		return warningRecorder{ProviderServer: server, into: a}, err
	}
}

func (a *applyWarnings) reset() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.warnings = nil
}

func (a *applyWarnings) list() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.warnings...)
}

type warningRecorder struct {
	tfprotov6.ProviderServer
	into *applyWarnings
}

func (w warningRecorder) ApplyResourceChange(ctx context.Context, req *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, error) {
	resp, err := w.ProviderServer.ApplyResourceChange(ctx, req)
	if resp != nil {
		w.into.mu.Lock()
		for _, d := range resp.Diagnostics {
			if d.Severity == tfprotov6.DiagnosticSeverityWarning {
				w.into.warnings = append(w.into.warnings, d.Summary+": "+d.Detail)
			}
		}
		w.into.mu.Unlock()
	}
	return resp, err
}

// createPickingZone creates a pool of 3 in standby and records in zone the
// zone to disrupt (zoneToDisrupt).
func createPickingZone(t *testing.T, nc ncConfig, zone *string) tfresource.TestStep {
	return tfresource.TestStep{
		Config:            fewRetries + poolConfig(nc, 3, ""),
		ConfigStateChecks: []statecheck.StateCheck{sizeIs(3), standbyCount(t, nc.Name, 3)},
		Check: func(*terraform.State) error {
			picked, err := zoneToDisrupt(t, nc.Name)
			*zone = picked
			return err
		},
	}
}
