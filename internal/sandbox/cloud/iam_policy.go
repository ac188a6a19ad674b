package cloud

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// IAMPolicy is an identity-based policy document the sandbox authorizes
// every request against, the way IAM evaluates one policy of one identity
// (IAM User Guide, "Policy evaluation logic"): an explicit Deny wins, then
// an Allow, else the request is implicitly denied. Supported elements:
// Version, Statement (one or a list), Sid, Effect, Action and Resource
// (string or list, with * and ? wildcards). NotAction, NotResource,
// Principal and Condition are refused rather than ignored, so a policy the
// sandbox accepts means what it says.
//
// Resources: SSM parameter calls are checked against the parameter's ARN
// (public parameters: arn:aws:ssm:<region>::parameter/aws/service/…), and
// iam:PassRole, which RunInstances checks for the role of the instance
// profile it attaches, against the role's ARN. EC2 actions are checked
// against "*": a statement grants or denies them only when one of its
// Resource patterns matches everything. (Real EC2 checks many actions per
// resource ARN; a policy that scopes EC2 actions to ARNs cannot be proven
// here.) sts:GetCallerIdentity needs no permission, as on AWS.
type IAMPolicy struct {
	Version   string            `json:"Version"`
	Statement []PolicyStatement `json:"Statement"`
}

// PolicyStatement is one statement of an IAMPolicy.
type PolicyStatement struct {
	Sid      string     `json:"Sid,omitempty"`
	Effect   string     `json:"Effect"`
	Action   stringList `json:"Action"`
	Resource stringList `json:"Resource"`
}

// stringList is a policy element that is a string or a list of strings.
type stringList []string

func (l *stringList) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*l = stringList{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return errors.New("must be a string or a list of strings")
	}
	*l = many
	return nil
}

// UnmarshalJSON reads a policy document and refuses what the sandbox
// cannot evaluate.
func (p *IAMPolicy) UnmarshalJSON(b []byte) error {
	var raw struct {
		Version   string          `json:"Version"`
		Statement json.RawMessage `json:"Statement"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&raw); err != nil {
		return fmt.Errorf("iam policy: %w", err)
	}
	var stmts []json.RawMessage
	if err := json.Unmarshal(raw.Statement, &stmts); err != nil {
		stmts = []json.RawMessage{raw.Statement}
	}
	out := IAMPolicy{Version: raw.Version}
	for i, s := range stmts {
		var st PolicyStatement
		dec := json.NewDecoder(bytes.NewReader(s))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&st); err != nil {
			return fmt.Errorf("iam policy statement %d: %w (the sandbox evaluates Sid, Effect, Action and Resource only)", i+1, err)
		}
		if st.Effect != "Allow" && st.Effect != "Deny" {
			return fmt.Errorf("iam policy statement %d: Effect must be Allow or Deny, got %q", i+1, st.Effect)
		}
		if len(st.Action) == 0 || len(st.Resource) == 0 {
			return fmt.Errorf("iam policy statement %d: Action and Resource are required", i+1)
		}
		out.Statement = append(out.Statement, st)
	}
	if out.Version != "2012-10-17" {
		return fmt.Errorf("iam policy: Version must be 2012-10-17, got %q", out.Version)
	}
	*p = out
	return nil
}

// decision is the outcome of evaluating a request.
type decision struct {
	allowed      bool
	explicitDeny bool
}

func (p *IAMPolicy) evaluate(action, resource string) decision {
	var d decision
	for _, st := range p.Statement {
		if !matchesAny(st.Action, action, matchAction) || !matchesAny(st.Resource, resource, matchResource) {
			continue
		}
		if st.Effect == "Deny" {
			return decision{explicitDeny: true}
		}
		d.allowed = true
	}
	return d
}

func matchesAny(patterns []string, v string, match func(pattern, v string) bool) bool {
	for _, p := range patterns {
		if match(p, v) {
			return true
		}
	}
	return false
}

// matchAction: service prefix and action name, case-insensitively, with
// wildcards ("ec2:Describe*").
func matchAction(pattern, action string) bool {
	return wildcard(strings.ToLower(pattern), strings.ToLower(action))
}

// matchResource compares ARNs part by part (partition, service, region,
// account, resource), as IAM does, so a wildcard in one part never spans
// into the next; "*" alone matches every resource.
func matchResource(pattern, resource string) bool {
	if pattern == "*" {
		return true
	}
	pp, rp := strings.SplitN(pattern, ":", 6), strings.SplitN(resource, ":", 6)
	if len(pp) != 6 || len(rp) != 6 {
		return wildcard(pattern, resource)
	}
	for i := range pp {
		if !wildcard(pp[i], rp[i]) {
			return false
		}
	}
	return true
}

// wildcard matches * (any run, including "/") and ? (one character).
func wildcard(pattern, s string) bool {
	// path.Match's * stops at "/", which IAM's does not: split on "*" and
	// match the pieces in order instead.
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return matchQ(pattern, s)
	}
	if !hasPrefixQ(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	last := parts[len(parts)-1]
	for _, mid := range parts[1 : len(parts)-1] {
		i := indexQ(s, mid)
		if i < 0 {
			return false
		}
		s = s[i+len(mid):]
	}
	return len(s) >= len(last) && matchQ(last, s[len(s)-len(last):])
}

func matchQ(pattern, s string) bool {
	if len(pattern) != len(s) {
		return false
	}
	for i := range pattern {
		if pattern[i] != '?' && pattern[i] != s[i] {
			return false
		}
	}
	return true
}

func hasPrefixQ(s, prefix string) bool {
	return len(s) >= len(prefix) && matchQ(prefix, s[:len(prefix)])
}

func indexQ(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if matchQ(sub, s[i:i+len(sub)]) {
			return i
		}
	}
	return -1
}

// authorize evaluates the configured policy for one action on one
// resource; it returns the service's own denial error, or nil.
func (w *World) authorize(service, action, resource string) *apiError {
	p := w.cfg.Load().IAMPolicy
	if p == nil {
		return nil
	}
	d := p.evaluate(action, resource)
	if d.allowed {
		return nil
	}
	why := "no identity-based policy allows the " + action + " action"
	if d.explicitDeny {
		why = "with an explicit deny in an identity-based policy"
	}
	msg := fmt.Sprintf("User: %s is not authorized to perform: %s on resource: %s %s", SandboxUserARN, action, resource, why)
	switch service {
	case serviceSSM:
		return &apiError{Status: http.StatusBadRequest, Code: "AccessDeniedException", Message: msg}
	case serviceSTS:
		return &apiError{Status: http.StatusForbidden, Code: "AccessDenied", Message: msg}
	}
	// EC2 answers 403 UnauthorizedOperation with an encoded authorization
	// message that sts:DecodeAuthorizationMessage turns back into the
	// evaluation context (EC2 API reference, "Error codes").
	return &apiError{Status: http.StatusForbidden, Code: "UnauthorizedOperation",
		Message: "You are not authorized to perform this operation. " + msg + ". Encoded authorization failure message: " + encodeAuthorizationMessage(action, resource, d)}
}

// authorizationMessage is what DecodeAuthorizationMessage returns, in the
// shape AWS documents for it (allowed, explicitDeny, matchedStatements,
// failures, context).
type authorizationMessage struct {
	Allowed           bool `json:"allowed"`
	ExplicitDeny      bool `json:"explicitDeny"`
	MatchedStatements struct {
		Items []any `json:"items"`
	} `json:"matchedStatements"`
	Failures struct {
		Items []any `json:"items"`
	} `json:"failures"`
	Context struct {
		Principal struct {
			ID  string `json:"id"`
			Arn string `json:"arn"`
		} `json:"principal"`
		Action   string `json:"action"`
		Resource string `json:"resource"`
	} `json:"context"`
}

func encodeAuthorizationMessage(action, resource string, d decision) string {
	var m authorizationMessage
	m.Allowed, m.ExplicitDeny = d.allowed, d.explicitDeny
	m.MatchedStatements.Items, m.Failures.Items = []any{}, []any{}
	m.Context.Principal.ID, m.Context.Principal.Arn = sandboxUserID, SandboxUserARN
	m.Context.Action, m.Context.Resource = action, resource
	b, _ := json.Marshal(m)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeAuthorizationMessage(encoded string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(encoded)
	if err != nil || !json.Valid(b) {
		return "", clientError("InvalidAuthorizationMessageException", "The encoded authorization message is not valid.")
	}
	return string(b), nil
}

// authorizeEC2 checks an EC2 action, before its parameters are looked at
// (so a DryRun without the permission is UnauthorizedOperation, as on EC2).
func (w *World) authorizeEC2(action string) *apiError {
	return w.authorize(serviceEC2, "ec2:"+action, "*")
}

// authorizePassRole is RunInstances' check that the caller may hand the
// instance profile's role to EC2 (IAM User Guide, "Grant a user
// permissions to pass a role to an AWS service").
func (w *World) authorizePassRole(roleARN string) error {
	if e := w.authorize(serviceEC2, "iam:PassRole", roleARN); e != nil {
		return e
	}
	return nil
}

// authorizeSSMParameter checks an SSM parameter action on one parameter.
func (w *World) authorizeSSMParameter(action, name string) error {
	if e := w.authorize(serviceSSM, "ssm:"+action, w.parameterARN(name)); e != nil {
		return e
	}
	return nil
}

func (w *World) parameterARN(name string) string {
	return "arn:aws:ssm:" + w.region + "::parameter" + name
}
