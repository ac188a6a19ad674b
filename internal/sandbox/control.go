package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/stratos-sh/terraform-provider-stratos/internal/sandbox/cloud"
)

// handler serves the control API and, at every other path, the AWS
// endpoints (the world routes /ec2, /ssm and /sts).
func (s *Sandbox) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /stats", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, s.world.Stats())
	})
	mux.HandleFunc("POST /stats/reset", func(w http.ResponseWriter, r *http.Request) {
		s.world.ResetStats()
		writeJSON(w, http.StatusOK, s.world.Stats())
	})
	mux.HandleFunc("GET /config", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, s.world.Config())
	})
	mux.HandleFunc("PUT /config", s.putConfig)
	mux.HandleFunc("POST /iam/instance-profiles", s.createInstanceProfile)
	mux.Handle("/", s.world.Handler())
	return mux
}

// putConfig applies a partial update: fields present in the body replace
// those of the current config, the others keep their values.
func (s *Sandbox) putConfig(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		writeError(w, http.StatusBadRequest, fmt.Errorf("read body: %w", err))
		return
	}
	cfg, err := s.UpdateConfig(body)
	if err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	writeJSON(w, http.StatusOK, cfg)
}

// UpdateConfig decodes a JSON partial config over the current one,
// validates and applies it, and re-installs the CNI when the network changed.
func (s *Sandbox) UpdateConfig(partial []byte) (cloud.Config, error) {
	s.configMu.Lock()
	defer s.configMu.Unlock()
	current := s.world.Config()
	next := current
	dec := json.NewDecoder(bytes.NewReader(partial))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&next); err != nil {
		return cloud.Config{}, fmt.Errorf("decode config: %w", err)
	}
	if err := s.world.SetConfig(next); err != nil {
		return cloud.Config{}, fmt.Errorf("invalid config: %w", err)
	}
	if next.Network != current.Network {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := s.sim.SyncNetwork(ctx); err != nil {
			return cloud.Config{}, fmt.Errorf("switch network to %s: %w", next.Network, err)
		}
	}
	return s.world.Config(), nil
}

// createInstanceProfile registers an instance profile, {"name": …, "role": …},
// which EC2 sees after the configured instance_profile_propagation.
func (s *Sandbox) createInstanceProfile(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name string `json:"name"`
		Role string `json:"role"`
	}
	dec := json.NewDecoder(io.LimitReader(r.Body, 1<<16))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		writeError(w, http.StatusBadRequest, fmt.Errorf("decode instance profile: %w", err))
		return
	}
	if err := s.world.CreateInstanceProfile(in.Name, in.Role); err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	writeJSON(w, http.StatusCreated, in)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

func writeError(w http.ResponseWriter, status int, err error) {
	writeJSON(w, status, map[string]string{"error": err.Error()})
}
