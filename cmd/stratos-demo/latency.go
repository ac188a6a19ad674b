package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"
)

// setLatency sends a partial latency config to the sandbox's control API
// ($STRATOS_SANDBOX_URL, PUT /config) and prints the latencies in force.
func setLatency(args []string) error {
	if len(args) != 1 {
		return errors.New(`usage: stratos-demo latency '{"launch": "20s", "boot": "40s", …}'`)
	}
	base := os.Getenv("STRATOS_SANDBOX_URL")
	if base == "" {
		return errors.New("STRATOS_SANDBOX_URL is not set (source .sandbox/env)")
	}
	body := []byte(`{"latency": ` + args[0] + `}`)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, base+"/config", bytes.NewReader(body))
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("configure sandbox: %w", err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("configure sandbox: %s: %s", resp.Status, bytes.TrimSpace(out))
	}
	var cfg struct {
		Latency map[string]string `json:"latency"`
	}
	if err := json.Unmarshal(out, &cfg); err != nil {
		return fmt.Errorf("read sandbox config: %w", err)
	}
	l := cfg.Latency
	fmt.Printf("launch %s, first boot %s, CNI %s, stop %s, start %s\n", l["launch"], l["boot"], l["cni"], l["stop"], l["start"])
	return nil
}
