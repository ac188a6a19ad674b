package awshttp

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

type recorder struct{ body string }

func (r *recorder) Do(req *http.Request) (*http.Response, error) {
	b, err := io.ReadAll(req.Body)
	r.body = string(b)
	return &http.Response{StatusCode: 200, Body: http.NoBody}, err
}

// closeOnRead is a body that, like smithy-go's, is closed by its owner: any
// read after Close fails.
type closeOnRead struct {
	*strings.Reader
	closed bool
}

func (c *closeOnRead) Read(p []byte) (int, error) {
	if c.closed {
		return 0, io.ErrClosedPipe
	}
	return c.Reader.Read(p)
}

func (c *closeOnRead) Close() error { c.closed = true; return nil }

func TestClientSendsAPrivateCopyOfTheBody(t *testing.T) {
	next := &recorder{}
	original := &closeOnRead{Reader: strings.NewReader("Action=DescribeInstances")}
	req, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1/", original)
	if _, err := Wrap(next).Do(req); err != nil {
		t.Fatal(err)
	}
	if next.body != "Action=DescribeInstances" {
		t.Fatalf("transport saw %q", next.body)
	}
	if !original.closed {
		t.Error("the caller's body was not closed after copying")
	}
	again, err := req.GetBody()
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := io.ReadAll(again); string(b) != "Action=DescribeInstances" {
		t.Errorf("GetBody gave %q", b)
	}
}

func TestWrapIsIdempotent(t *testing.T) {
	c := Wrap(nil)
	if Wrap(c) != c {
		t.Error("wrapping a wrapped client wrapped it twice")
	}
}
