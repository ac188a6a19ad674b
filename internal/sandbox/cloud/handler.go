package cloud

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Service names as they appear in endpoint paths and SigV4 credential scopes.
const (
	serviceEC2 = "ec2"
	serviceSSM = "ssm"
	serviceSTS = "sts"
)

const ec2Namespace = "http://ec2.amazonaws.com/doc/2016-11-15/"

// Endpoints returns the endpoint URLs to give the AWS SDK (BaseEndpoint or
// AWS_ENDPOINT_URL_EC2/_SSM/_STS) when Handler is served at baseURL.
// aws-sdk-go-v2 keeps an endpoint's path and appends the operation path to
// it, so one listener serves all three services under /ec2, /ssm and /sts.
func (w *World) Endpoints(baseURL string) (ec2, ssm, sts string) {
	base := strings.TrimRight(baseURL, "/")
	return base + "/" + serviceEC2, base + "/" + serviceSSM, base + "/" + serviceSTS
}

// Handler serves EC2 (Query/XML), SSM (JSON 1.1) and STS (Query/XML).
// Requests are routed by path prefix (/ec2, /ssm, /sts); requests at other
// paths are routed by the service in their SigV4 credential scope. Any
// credentials are accepted.
func (w *World) Handler() http.Handler {
	return http.HandlerFunc(w.serveHTTP)
}

func (w *World) serveHTTP(rw http.ResponseWriter, r *http.Request) {
	region, scopeService := credentialScope(r.Header.Get("Authorization"))
	service := serviceFromPath(r.URL.Path)
	if service == "" {
		service = scopeService
	}
	if service == "" && strings.HasPrefix(r.Header.Get("X-Amz-Target"), "AmazonSSM.") {
		service = serviceSSM
	}
	if service == "" {
		service = serviceEC2
	}
	if region == "" {
		region = w.region
	}
	reqID := newRequestID()
	switch service {
	case serviceSSM:
		w.serveSSM(rw, r, region, reqID)
	case serviceSTS:
		w.serveQuery(rw, r, serviceSTS, region, reqID)
	default:
		w.serveQuery(rw, r, serviceEC2, region, reqID)
	}
}

func serviceFromPath(p string) string {
	p = strings.TrimPrefix(p, "/")
	first, _, _ := strings.Cut(p, "/")
	switch first {
	case serviceEC2, serviceSSM, serviceSTS:
		return first
	}
	return ""
}

// credentialScope reads region and service from a SigV4 Authorization
// header: "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/ec2/aws4_request, ...".
func credentialScope(auth string) (region, service string) {
	_, rest, ok := strings.Cut(auth, "Credential=")
	if !ok {
		return "", ""
	}
	cred, _, _ := strings.Cut(rest, ",")
	parts := strings.Split(strings.TrimSpace(cred), "/")
	if len(parts) < 5 {
		return "", ""
	}
	return parts[2], parts[3]
}

func newRequestID() string {
	b := make([]byte, 16)
	for i := range b {
		b[i] = byte(rand.Uint32())
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// apiError is an AWS error response: its code is what smithy.APIError's
// ErrorCode returns to the SDK user.
type apiError struct {
	Status  int
	Code    string
	Message string
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

func clientError(code, format string, args ...any) *apiError {
	return &apiError{Status: http.StatusBadRequest, Code: code, Message: fmt.Sprintf(format, args...)}
}

// beginCall counts the call, applies the configured API latency and, for
// EC2, the throttle fault. It returns the error to answer with, if any.
func (w *World) beginCall(ctx context.Context, service, action string) *apiError {
	w.stats.count(action)
	cfg := w.cfg.Load()
	if d := cfg.Latency.API.D(); d > 0 {
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
		case <-t.C:
		}
		t.Stop()
	}
	if service == serviceEC2 && cfg.ThrottleRate > 0 {
		w.throttleMu.Lock()
		throttled := w.throttleRNG.Float64() < cfg.ThrottleRate
		w.throttleMu.Unlock()
		if throttled {
			w.stats.throttle(action)
			return requestLimitExceeded()
		}
	}
	return nil
}

type ec2Handler func(w *World, q query) (any, error)

var ec2Actions = map[string]ec2Handler{}

// serveQuery serves the form-encoded Query protocol shared by EC2 and STS.
func (w *World) serveQuery(rw http.ResponseWriter, r *http.Request, service, region, reqID string) {
	action := ""
	status := http.StatusOK
	defer func() {
		w.log.Info("aws request", "service", service, "region", region, "action", action, "status", status, "request_id", reqID)
	}()
	writeErr := func(e *apiError) {
		status = e.Status
		if service == serviceSTS {
			writeSTSError(rw, e, reqID)
		} else {
			writeEC2Error(rw, e, reqID)
		}
	}
	if err := r.ParseForm(); err != nil {
		action = "Unknown"
		w.stats.count(action)
		writeErr(clientError("MalformedQueryString", "could not parse the request body: %v", err))
		return
	}
	q := query{r.Form}
	action = q.str("Action")
	if action == "" {
		action = "Unknown"
		w.stats.count(action)
		writeErr(clientError("MissingAction", "The request must contain the parameter Action"))
		return
	}
	if e := w.beginCall(r.Context(), service, action); e != nil {
		writeErr(e)
		return
	}
	if service == serviceEC2 {
		if e := w.rateLimit(action, q); e != nil {
			w.stats.throttle(action)
			writeErr(e)
			return
		}
	}
	var body any
	var err error
	if service == serviceSTS {
		body, err = w.sts(action, q)
	} else {
		h, ok := ec2Actions[action]
		if !ok {
			writeErr(clientError("InvalidAction", "The action %s is not valid for this web service.", action))
			return
		}
		if e := w.authorizeEC2(action); e != nil {
			writeErr(e)
			return
		}
		if q.str("DryRun") == "true" {
			writeErr(&apiError{Status: http.StatusPreconditionFailed, Code: "DryRunOperation", Message: "Request would have succeeded, but DryRun flag is set."})
			return
		}
		body, err = h(w, q)
	}
	if err != nil {
		e, ok := err.(*apiError)
		if !ok {
			e = &apiError{Status: http.StatusInternalServerError, Code: "InternalError", Message: err.Error()}
		}
		writeErr(e)
		return
	}
	if m, ok := body.(interface{ setRequestID(string) }); ok {
		m.setRequestID(reqID)
	}
	if service == serviceSTS {
		writeXML(rw, body, action+"Response", "https://sts.amazonaws.com/doc/2011-06-15/")
		return
	}
	writeXML(rw, body, action+"Response", ec2Namespace)
}

// ec2Meta is embedded in every EC2 response body.
type ec2Meta struct {
	RequestID string `xml:"requestId"`
}

func (m *ec2Meta) setRequestID(id string) { m.RequestID = id }

func writeXML(rw http.ResponseWriter, body any, root, ns string) {
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	start := xml.StartElement{Name: xml.Name{Local: root}, Attr: []xml.Attr{{Name: xml.Name{Local: "xmlns"}, Value: ns}}}
	if err := enc.EncodeElement(body, start); err != nil {
		http.Error(rw, "encode response: "+err.Error(), http.StatusInternalServerError)
		return
	}
	rw.Header().Set("Content-Type", "text/xml;charset=UTF-8")
	rw.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	rw.WriteHeader(http.StatusOK)
	_, _ = rw.Write(buf.Bytes())
}

func writeEC2Error(rw http.ResponseWriter, e *apiError, reqID string) {
	type xmlErr struct {
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	}
	type response struct {
		XMLName   xml.Name `xml:"Response"`
		Errors    []xmlErr `xml:"Errors>Error"`
		RequestID string   `xml:"RequestID"`
	}
	out, _ := xml.Marshal(response{Errors: []xmlErr{{Code: e.Code, Message: e.Message}}, RequestID: reqID})
	rw.Header().Set("Content-Type", "text/xml;charset=UTF-8")
	rw.WriteHeader(e.Status)
	_, _ = rw.Write(append([]byte(xml.Header), out...))
}
