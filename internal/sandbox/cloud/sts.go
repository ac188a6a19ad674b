package cloud

import (
	"encoding/xml"
	"net/http"
)

// SandboxUserARN is the identity every sandbox request is made as.
const SandboxUserARN = "arn:aws:iam::" + AccountID + ":user/sandbox"

const sandboxUserID = "AIDASANDBOXUSER00001"

type getCallerIdentityResponse struct {
	Result struct {
		Arn     string `xml:"Arn"`
		UserID  string `xml:"UserId"`
		Account string `xml:"Account"`
	} `xml:"GetCallerIdentityResult"`
	RequestID string `xml:"ResponseMetadata>RequestId"`
}

func (r *getCallerIdentityResponse) setRequestID(id string) { r.RequestID = id }

type decodeAuthorizationMessageResponse struct {
	Result struct {
		DecodedMessage string `xml:"DecodedMessage"`
	} `xml:"DecodeAuthorizationMessageResult"`
	RequestID string `xml:"ResponseMetadata>RequestId"`
}

func (r *decodeAuthorizationMessageResponse) setRequestID(id string) { r.RequestID = id }

func (w *World) sts(action string, q query) (any, error) {
	switch action {
	case "GetCallerIdentity":
		// Needs no permission (STS API reference, GetCallerIdentity).
	case "DecodeAuthorizationMessage":
		if e := w.authorize(serviceSTS, "sts:DecodeAuthorizationMessage", "*"); e != nil {
			return nil, e
		}
		decoded, err := decodeAuthorizationMessage(q.str("EncodedMessage"))
		if err != nil {
			return nil, err
		}
		resp := &decodeAuthorizationMessageResponse{}
		resp.Result.DecodedMessage = decoded
		return resp, nil
	default:
		return nil, clientError("InvalidAction", "Could not find operation %s for version 2011-06-15", action)
	}
	resp := &getCallerIdentityResponse{}
	resp.Result.Arn = SandboxUserARN
	resp.Result.UserID = sandboxUserID
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
