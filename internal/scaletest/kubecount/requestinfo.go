package kubecount

import (
	"net/http"
	"strings"
)

// classify names a request as the apiserver's metrics do: the verb from the
// method (a GET of a collection is LIST, with watch=true it is WATCH) and the
// resource (with its subresource) from the path. Non-resource paths
// (/version, /api, /openapi…) count under the path itself.
func classify(r *http.Request) Request {
	parts := splitPath(r.URL.Path)
	var rest []string
	switch {
	case len(parts) >= 2 && parts[0] == "api":
		rest = parts[2:] // /api/v1/...
	case len(parts) >= 3 && parts[0] == "apis":
		rest = parts[3:] // /apis/group/version/...
	default:
		return Request{Verb: r.Method, Resource: r.URL.Path}
	}
	if len(rest) >= 2 && rest[0] == "namespaces" && len(rest) != 2 {
		rest = rest[2:] // namespaced resource: /namespaces/<ns>/<resource>/...
	}
	if len(rest) == 0 {
		return Request{Verb: r.Method, Resource: r.URL.Path}
	}
	resource, named := rest[0], len(rest) >= 2
	if len(rest) >= 3 {
		resource += "/" + rest[2]
	}
	return Request{Verb: verb(r, named), Resource: resource}
}

func verb(r *http.Request, named bool) string {
	watch := r.URL.Query().Get("watch")
	switch r.Method {
	case http.MethodGet:
		switch {
		case watch == "true" || watch == "1":
			return "WATCH"
		case named:
			return "GET"
		default:
			return "LIST"
		}
	case http.MethodPost:
		return "CREATE"
	case http.MethodPut:
		return "UPDATE"
	case http.MethodDelete:
		if !named {
			return "DELETECOLLECTION"
		}
		return "DELETE"
	default:
		return strings.ToUpper(r.Method)
	}
}

func splitPath(p string) []string {
	var out []string
	for _, s := range strings.Split(p, "/") {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
