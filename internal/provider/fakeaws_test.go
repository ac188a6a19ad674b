package provider

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// fakeAWS answers the few SSM (JSON 1.1) and STS (Query) actions the
// provider's own code calls, over their real wire protocols, so the
// unmodified SDK clients can be pointed at it. It records every request.
type fakeAWS struct {
	*httptest.Server

	mu         sync.Mutex
	calls      map[string]int
	requests   []fakeRequest
	parameters map[string]string
	// stsError, when set, is the error code every STS call answers with.
	stsError string
	// ssmStatus, when set, is the HTTP status every SSM call answers with.
	ssmStatus int
}

type fakeRequest struct {
	Action        string
	Authorization string
	Form          url.Values
	Body          string
}

func newFakeAWS(t *testing.T) *fakeAWS {
	t.Helper()
	f := &fakeAWS{calls: map[string]int{}, parameters: map[string]string{}}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeAWS) setParameter(name, value string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.parameters[name] = value
}

func (f *fakeAWS) count(action string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[action]
}

func (f *fakeAWS) lastRequest(action string) (fakeRequest, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := len(f.requests) - 1; i >= 0; i-- {
		if f.requests[i].Action == action {
			return f.requests[i], true
		}
	}
	return fakeRequest{}, false
}

func (f *fakeAWS) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	req := fakeRequest{Authorization: r.Header.Get("Authorization"), Body: string(body)}
	if target := r.Header.Get("X-Amz-Target"); target != "" {
		req.Action = strings.TrimPrefix(target, "AmazonSSM.")
	} else {
		req.Form, _ = url.ParseQuery(string(body))
		req.Action = req.Form.Get("Action")
	}
	f.mu.Lock()
	f.calls[req.Action]++
	f.requests = append(f.requests, req)
	stsError, ssmStatus := f.stsError, f.ssmStatus
	f.mu.Unlock()

	switch req.Action {
	case "GetCallerIdentity", "AssumeRole":
		if stsError != "" {
			w.Header().Set("Content-Type", "text/xml")
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprintf(w, `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>%s</Code><Message>The security token included in the request is invalid.</Message></Error><RequestId>r-1</RequestId></ErrorResponse>`, stsError)
			return
		}
		w.Header().Set("Content-Type", "text/xml")
		if req.Action == "AssumeRole" {
			fmt.Fprint(w, `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>`+
				`<Credentials><AccessKeyId>ASIAASSUMED</AccessKeyId><SecretAccessKey>secret</SecretAccessKey><SessionToken>token</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials>`+
				`<AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/test/s</Arn><AssumedRoleId>AROA:s</AssumedRoleId></AssumedRoleUser>`+
				`</AssumeRoleResult><ResponseMetadata><RequestId>r-2</RequestId></ResponseMetadata></AssumeRoleResponse>`)
			return
		}
		fmt.Fprint(w, `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>`+
			`<Arn>arn:aws:iam::123456789012:user/test</Arn><UserId>AIDATEST</UserId><Account>123456789012</Account>`+
			`</GetCallerIdentityResult><ResponseMetadata><RequestId>r-3</RequestId></ResponseMetadata></GetCallerIdentityResponse>`)
	case "GetParameters":
		if ssmStatus != 0 {
			w.Header().Set("Content-Type", "application/x-amz-json-1.1")
			w.WriteHeader(ssmStatus)
			fmt.Fprint(w, `{"__type":"InternalServerError","message":"try again"}`)
			return
		}
		var in struct{ Names []string }
		_ = json.Unmarshal(body, &in)
		type parameter struct {
			Name, Type, Value string
			Version           int
		}
		out := struct {
			Parameters        []parameter
			InvalidParameters []string
		}{Parameters: []parameter{}, InvalidParameters: []string{}}
		f.mu.Lock()
		for _, name := range in.Names {
			if v, ok := f.parameters[name]; ok {
				out.Parameters = append(out.Parameters, parameter{Name: name, Type: "String", Value: v, Version: 1})
			} else {
				out.InvalidParameters = append(out.InvalidParameters, name)
			}
		}
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		_ = json.NewEncoder(w).Encode(out)
	default:
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"__type":"InvalidAction","message":"the test server does not implement %q"}`, req.Action)
	}
}

// isolateAWSEnv clears every environment variable and file the SDK would
// read, so a test sees only what it sets.
func isolateAWSEnv(t *testing.T) {
	t.Helper()
	for _, name := range []string{
		"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE",
		"AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_EC2", "AWS_ENDPOINT_URL_SSM",
		"AWS_ENDPOINT_URL_STS", "AWS_MAX_ATTEMPTS", "AWS_RETRY_MODE", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
	} {
		t.Setenv(name, "")
	}
	dir := t.TempDir()
	t.Setenv("AWS_CONFIG_FILE", dir+"/config")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", dir+"/credentials")
	// No instance metadata service here; asking it only adds timeouts.
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
}

// useFakeAWS points the SDK at f through the environment, as the sandbox's
// .sandbox/env does, with static credentials.
func useFakeAWS(t *testing.T, f *fakeAWS) {
	t.Helper()
	isolateAWSEnv(t)
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIATEST")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_ENDPOINT_URL_SSM", f.URL)
	t.Setenv("AWS_ENDPOINT_URL_STS", f.URL)
	t.Setenv("AWS_ENDPOINT_URL_EC2", f.URL)
}
