package kubecount

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"sync"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// Proxy forwards plain-HTTP requests on a loopback port to the apiserver,
// adding the upstream's credentials, and counts them. Point one process at
// it (WriteKubeconfig) to count that process's requests alone.
type Proxy struct {
	listener net.Listener
	server   *http.Server

	mu        sync.Mutex
	counts    Counts
	selectors map[Request]map[string]int
}

// StartProxy serves a counting proxy to the apiserver cfg names.
func StartProxy(cfg *rest.Config) (*Proxy, error) {
	upstream, err := url.Parse(cfg.Host)
	if err != nil {
		return nil, fmt.Errorf("apiserver url %q: %w", cfg.Host, err)
	}
	transport, err := rest.TransportFor(cfg)
	if err != nil {
		return nil, fmt.Errorf("apiserver transport: %w", err)
	}
	rp := httputil.NewSingleHostReverseProxy(upstream)
	rp.Transport = transport
	// Watches are streams: pass every event on as it arrives.
	rp.FlushInterval = -1
	p := &Proxy{counts: Counts{}, selectors: map[Request]map[string]int{}}
	p.listener, err = net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	p.server = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req := classify(r)
		p.mu.Lock()
		p.counts[req]++
		if req.Verb == "LIST" || req.Verb == "WATCH" {
			sel := r.URL.Query().Get("fieldSelector")
			if p.selectors[req] == nil {
				p.selectors[req] = map[string]int{}
			}
			p.selectors[req][sel]++
		}
		p.mu.Unlock()
		rp.ServeHTTP(w, r)
	})}
	go func() { _ = p.server.Serve(p.listener) }()
	return p, nil
}

// URL is the proxy's base URL.
func (p *Proxy) URL() string { return "http://" + p.listener.Addr().String() }

// Counts snapshots the requests seen so far.
func (p *Proxy) Counts() Counts {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make(Counts, len(p.counts))
	for k, v := range p.counts {
		out[k] = v
	}
	return out
}

// FieldSelectors counts the LIST or WATCH requests of a kind by their field
// selector ("" for none: the whole collection).
func (p *Proxy) FieldSelectors(req Request) map[string]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := map[string]int{}
	for k, v := range p.selectors[req] {
		out[k] = v
	}
	return out
}

// Reset zeroes the counters.
func (p *Proxy) Reset() {
	p.mu.Lock()
	p.counts = Counts{}
	p.selectors = map[Request]map[string]int{}
	p.mu.Unlock()
}

// WriteKubeconfig writes a kubeconfig that reaches the apiserver through the
// proxy (no credentials needed: the proxy adds them).
func (p *Proxy) WriteKubeconfig(path string) error {
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["sandbox"] = &clientcmdapi.Cluster{Server: p.URL()}
	cfg.AuthInfos["proxy"] = &clientcmdapi.AuthInfo{}
	cfg.Contexts["sandbox"] = &clientcmdapi.Context{Cluster: "sandbox", AuthInfo: "proxy"}
	cfg.CurrentContext = "sandbox"
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		return fmt.Errorf("write kubeconfig %s: %w", path, err)
	}
	return os.Chmod(path, 0o600)
}

// RESTConfig is a client configuration that goes through the proxy.
func (p *Proxy) RESTConfig() *rest.Config {
	return &rest.Config{Host: p.URL(), QPS: 1000, Burst: 2000}
}

// Close stops the proxy; open watches end.
func (p *Proxy) Close() error { return p.server.Close() }
