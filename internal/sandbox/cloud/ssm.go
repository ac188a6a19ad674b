package cloud

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
)

type ssmParameterJSON struct {
	ARN              string  `json:"ARN"`
	DataType         string  `json:"DataType"`
	LastModifiedDate float64 `json:"LastModifiedDate"`
	Name             string  `json:"Name"`
	Type             string  `json:"Type"`
	Value            string  `json:"Value"`
	Version          int     `json:"Version"`
}

func (w *World) parameterJSON(p *ssmParameter) ssmParameterJSON {
	return ssmParameterJSON{
		ARN:      w.parameterARN(p.Name),
		DataType: "text", LastModifiedDate: float64(p.Modified.UnixMilli()) / 1000,
		Name: p.Name, Type: "String", Value: p.Value, Version: 1,
	}
}

// serveSSM serves the SSM JSON 1.1 protocol: the action is in X-Amz-Target.
func (w *World) serveSSM(rw http.ResponseWriter, r *http.Request, region, reqID string) {
	action := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "AmazonSSM.")
	if action == "" {
		action = "Unknown"
	}
	status := http.StatusOK
	defer func() {
		w.log.Info("aws request", "service", serviceSSM, "region", region, "action", action, "status", status, "request_id", reqID)
	}()
	rw.Header().Set("X-Amzn-RequestId", reqID)
	writeErr := func(e *apiError) {
		status = e.Status
		rw.Header().Set("Content-Type", "application/x-amz-json-1.1")
		rw.WriteHeader(e.Status)
		_ = json.NewEncoder(rw).Encode(map[string]string{"__type": e.Code, "message": e.Message})
	}
	if e := w.beginCall(r.Context(), serviceSSM, action); e != nil {
		writeErr(e)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		writeErr(&apiError{Status: http.StatusBadRequest, Code: "SerializationException", Message: err.Error()})
		return
	}
	var out any
	switch action {
	case "GetParameter":
		out, err = w.ssmGetParameter(body)
	case "GetParameters":
		out, err = w.ssmGetParameters(body)
	case "GetParametersByPath":
		out, err = w.ssmGetParametersByPath(body)
	default:
		err = &apiError{Status: http.StatusBadRequest, Code: "UnknownOperationException", Message: "The sandbox does not implement SSM " + action}
	}
	if err != nil {
		e, ok := err.(*apiError)
		if !ok {
			e = &apiError{Status: http.StatusInternalServerError, Code: "InternalServerError", Message: err.Error()}
		}
		writeErr(e)
		return
	}
	rw.Header().Set("Content-Type", "application/x-amz-json-1.1")
	_ = json.NewEncoder(rw).Encode(out)
}

func ssmValidation(format string, args ...any) *apiError {
	return &apiError{Status: http.StatusBadRequest, Code: "ValidationException", Message: fmt.Sprintf(format, args...)}
}

func decodeSSM(body []byte, v any) error {
	if len(body) == 0 {
		return nil
	}
	if err := json.Unmarshal(body, v); err != nil {
		return &apiError{Status: http.StatusBadRequest, Code: "SerializationException", Message: err.Error()}
	}
	return nil
}

// parameterName accepts a name or a parameter ARN, as SSM does.
func (w *World) parameterName(s string) string {
	if rest, ok := strings.CutPrefix(s, "arn:aws:ssm:"); ok {
		if i := strings.Index(rest, ":parameter"); i >= 0 {
			return rest[i+len(":parameter"):]
		}
	}
	return s
}

func (w *World) ssmGetParameter(body []byte) (any, error) {
	var in struct{ Name string }
	if err := decodeSSM(body, &in); err != nil {
		return nil, err
	}
	if in.Name == "" {
		return nil, ssmValidation("1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null")
	}
	if err := w.authorizeSSMParameter("GetParameter", w.parameterName(in.Name)); err != nil {
		return nil, err
	}
	p, ok := w.catalog.paramByName[w.parameterName(in.Name)]
	if !ok {
		return nil, &apiError{Status: http.StatusBadRequest, Code: "ParameterNotFound", Message: "Parameter " + in.Name + " not found."}
	}
	return map[string]any{"Parameter": w.parameterJSON(p)}, nil
}

func (w *World) ssmGetParameters(body []byte) (any, error) {
	var in struct{ Names []string }
	if err := decodeSSM(body, &in); err != nil {
		return nil, err
	}
	if len(in.Names) == 0 || len(in.Names) > 10 {
		return nil, ssmValidation("1 validation error detected: Value at 'names' failed to satisfy constraint: Member must have length less than or equal to 10 and greater than or equal to 1")
	}
	for _, n := range in.Names {
		if err := w.authorizeSSMParameter("GetParameters", w.parameterName(n)); err != nil {
			return nil, err
		}
	}
	params := []ssmParameterJSON{}
	invalid := []string{}
	for _, n := range in.Names {
		if p, ok := w.catalog.paramByName[w.parameterName(n)]; ok {
			params = append(params, w.parameterJSON(p))
		} else {
			invalid = append(invalid, n)
		}
	}
	return map[string]any{"Parameters": params, "InvalidParameters": invalid}, nil
}

func (w *World) ssmGetParametersByPath(body []byte) (any, error) {
	var in struct {
		Path       string
		Recursive  bool
		MaxResults *int
		NextToken  string
	}
	if err := decodeSSM(body, &in); err != nil {
		return nil, err
	}
	if !strings.HasPrefix(in.Path, "/") {
		return nil, ssmValidation("The parameter doesn't meet the parameter name requirements. The parameter name must begin with a forward slash \"/\".")
	}
	if err := w.authorizeSSMParameter("GetParametersByPath", strings.TrimSuffix(in.Path, "/")); err != nil {
		return nil, err
	}
	limit := 10
	if in.MaxResults != nil {
		if *in.MaxResults < 1 || *in.MaxResults > 10 {
			return nil, ssmValidation("1 validation error detected: Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 10", *in.MaxResults)
		}
		limit = *in.MaxResults
	}
	prefix := strings.TrimSuffix(in.Path, "/") + "/"
	params := w.catalog.params
	// The catalog is sorted by name, so a path's parameters are contiguous.
	start := sort.Search(len(params), func(i int) bool { return params[i].Name >= prefix })
	if in.NextToken != "" {
		from, err := parsePageToken(in.NextToken)
		if err != nil {
			return nil, &apiError{Status: http.StatusBadRequest, Code: "InvalidNextToken", Message: "The specified token isn't valid."}
		}
		start = max(start, int(from))
	}
	out := map[string]any{}
	page := []ssmParameterJSON{}
	for i := start; i < len(params) && strings.HasPrefix(params[i].Name, prefix); i++ {
		if !in.Recursive && strings.Contains(params[i].Name[len(prefix):], "/") {
			continue
		}
		if len(page) == limit {
			out["NextToken"] = pageToken(uint64(i))
			break
		}
		page = append(page, w.parameterJSON(&params[i]))
	}
	out["Parameters"] = page
	return out, nil
}
