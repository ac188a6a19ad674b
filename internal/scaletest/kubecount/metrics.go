package kubecount

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"

	"k8s.io/client-go/kubernetes"
)

// Scrape reads apiserver_request_total from the apiserver's /metrics: every
// request the apiserver served, by verb and resource (subresource appended
// as "nodes/status"), summed over response codes and other labels.
func Scrape(ctx context.Context, kube kubernetes.Interface) (Counts, error) {
	raw, err := kube.CoreV1().RESTClient().Get().AbsPath("/metrics").DoRaw(ctx)
	if err != nil {
		return nil, fmt.Errorf("read apiserver /metrics: %w", err)
	}
	return parseRequestTotal(raw)
}

// parseRequestTotal reads the Prometheus text format lines of
// apiserver_request_total; other metrics are skipped.
func parseRequestTotal(raw []byte) (Counts, error) {
	const name = "apiserver_request_total{"
	out := Counts{}
	sc := bufio.NewScanner(bytes.NewReader(raw))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, name) {
			continue
		}
		end := strings.LastIndex(line, "}")
		if end < 0 {
			return nil, fmt.Errorf("malformed metric line %q", line)
		}
		labels := parseLabels(line[len(name):end])
		value, err := strconv.ParseFloat(strings.Fields(line[end+1:])[0], 64)
		if err != nil {
			return nil, fmt.Errorf("metric value in %q: %w", line, err)
		}
		resource := labels["resource"]
		if resource == "" {
			continue // non-resource paths (/healthz, /metrics…) are not API calls
		}
		if sub := labels["subresource"]; sub != "" {
			resource += "/" + sub
		}
		out[Request{Verb: labels["verb"], Resource: resource}] += int(value)
	}
	return out, sc.Err()
}

// parseLabels splits `a="x",b="y"`. Label values in this metric are plain
// identifiers; escaped quotes are handled anyway.
func parseLabels(s string) map[string]string {
	out := map[string]string{}
	for len(s) > 0 {
		eq := strings.IndexByte(s, '=')
		if eq < 0 || eq+1 >= len(s) || s[eq+1] != '"' {
			break
		}
		key := strings.TrimLeft(s[:eq], ", ")
		var val strings.Builder
		i := eq + 2
		for ; i < len(s) && s[i] != '"'; i++ {
			if s[i] == '\\' && i+1 < len(s) {
				i++
			}
			val.WriteByte(s[i])
		}
		out[key] = val.String()
		if i+1 >= len(s) {
			break
		}
		s = s[i+1:]
	}
	return out
}
