// Package awshttp holds the HTTP client wrapper the provider hands the AWS SDK.
package awshttp

import (
	"bytes"
	"io"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
)

// Client gives the transport a private copy of each request body. smithy-go
// closes the body it built as soon as Do returns; against an endpoint that
// answers within microseconds this races with the transport's final write
// and can kill the connection mid-response ("use of closed network
// connection", aws-sdk-go-v2#1825), which the SDK then retries — an extra,
// needless call that API budgets count. Request bodies here are small
// (Query and JSON protocols), so the copy costs nothing that matters.
type Client struct{ next aws.HTTPClient }

// Wrap wraps the client the SDK's config loading built (with any custom CA
// bundle already applied); nil means the SDK's default client.
func Wrap(next aws.HTTPClient) *Client {
	if next == nil {
		next = awshttp.NewBuildableClient()
	}
	if c, ok := next.(*Client); ok {
		return c
	}
	return &Client{next: next}
}

func (c *Client) Do(req *http.Request) (*http.Response, error) {
	if req.Body != nil && req.Body != http.NoBody {
		body, err := io.ReadAll(req.Body)
		if err != nil {
			return nil, err
		}
		_ = req.Body.Close()
		req.Body = io.NopCloser(bytes.NewReader(body))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	}
	return c.next.Do(req)
}
