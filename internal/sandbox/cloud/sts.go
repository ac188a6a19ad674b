package cloud

import (
	"encoding/xml"
	"net/http"
)

// SandboxUserARN is the identity every sandbox request is made as.
const SandboxUserARN = "arn:aws:iam::" + AccountID + ":user/sandbox"

type getCallerIdentityResponse struct {
	Result struct {
		Arn     string `xml:"Arn"`
		UserID  string `xml:"UserId"`
		Account string `xml:"Account"`
	} `xml:"GetCallerIdentityResult"`
	RequestID string `xml:"ResponseMetadata>RequestId"`
}

func (r *getCallerIdentityResponse) setRequestID(id string) { r.RequestID = id }

func (w *World) sts(action string) (any, error) {
	if action != "GetCallerIdentity" {
		return nil, clientError("InvalidAction", "Could not find operation %s for version 2011-06-15", action)
	}
	resp := &getCallerIdentityResponse{}
	resp.Result.Arn = SandboxUserARN
	resp.Result.UserID = "AIDASANDBOXUSER00001"
	resp.Result.Account = AccountID
	return resp, nil
}

func writeSTSError(rw http.ResponseWriter, e *apiError, reqID string) {
	type response struct {
		XMLName xml.Name `xml:"ErrorResponse"`
		Error   struct {
			Type    string `xml:"Type"`
			Code    string `xml:"Code"`
			Message string `xml:"Message"`
		} `xml:"Error"`
		RequestID string `xml:"RequestId"`
	}
	r := response{RequestID: reqID}
	r.Error.Type = "Sender"
	if e.Status >= 500 {
		r.Error.Type = "Receiver"
	}
	r.Error.Code, r.Error.Message = e.Code, e.Message
	out, _ := xml.Marshal(r)
	rw.Header().Set("Content-Type", "text/xml")
	rw.WriteHeader(e.Status)
	_, _ = rw.Write(append([]byte(xml.Header), out...))
}
