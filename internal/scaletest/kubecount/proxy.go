package kubecount

import (
	"fmt"
	"maps"
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

	mu             sync.Mutex
	counts         Counts
	objects        Counts
	selectors      map[Request]map[string]int
	labelSelectors map[Request]map[string]int
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
	p := &Proxy{}
	p.Reset()
	rp.ModifyResponse = p.countObjects
	p.listener, err = net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	p.server = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req := classify(r)
		p.mu.Lock()
		p.counts[req]++
		if req.Verb == "LIST" || req.Verb == "WATCH" {
			countSelector(p.selectors, req, r.URL.Query().Get("fieldSelector"))
			countSelector(p.labelSelectors, req, r.URL.Query().Get("labelSelector"))
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
	return maps.Clone(p.counts)
}

// FieldSelectors counts the LIST or WATCH requests of a kind by their field
// selector ("" for none: the whole collection).
func (p *Proxy) FieldSelectors(req Request) map[string]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return maps.Clone(p.selectors[req])
}

// LabelSelectors counts the LIST or WATCH requests of a kind by their label
// selector ("" for none).
func (p *Proxy) LabelSelectors(req Request) map[string]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return maps.Clone(p.labelSelectors[req])
}

// Objects counts the objects the process read by LIST and WATCH requests:
// the items of every list response and the events of every watch stream
// (bookmarks included), by kind of request. It says how much of the
// cluster a process reads, which request counts alone do not: one
// unscoped list of pods costs one request and every pod of the cluster.
func (p *Proxy) Objects() Counts {
	p.mu.Lock()
	defer p.mu.Unlock()
	return maps.Clone(p.objects)
}

// Reset zeroes the counters.
func (p *Proxy) Reset() {
	p.mu.Lock()
	p.counts = Counts{}
	p.objects = Counts{}
	p.selectors = map[Request]map[string]int{}
	p.labelSelectors = map[Request]map[string]int{}
	p.mu.Unlock()
}

func countSelector(into map[Request]map[string]int, req Request, selector string) {
	if into[req] == nil {
		into[req] = map[string]int{}
	}
	into[req][selector]++
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
