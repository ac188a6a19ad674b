package kubecount

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"io"
	"net/http"
	"strings"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/client-go/kubernetes/scheme"
)

// countObjects counts what a successful LIST or WATCH response carries (see
// Proxy.Objects), in either encoding client-go speaks (its clientsets ask
// for protobuf, other clients for JSON). A list is read whole and decoded to
// count its items before it is passed on; a watch stream is counted event
// by event as it passes: one line per JSON event, one length-prefixed frame
// per protobuf event (k8s.io/apimachinery's streaming framers).
func (p *Proxy) countObjects(resp *http.Response) error {
	req := classify(resp.Request)
	if resp.StatusCode != http.StatusOK {
		return nil
	}
	contentType := resp.Header.Get("Content-Type")
	switch req.Verb {
	case "LIST":
		body, err := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if err != nil {
			return fmt.Errorf("read %s response: %w", req, err)
		}
		resp.Body = io.NopCloser(bytes.NewReader(body))
		// The apiserver compresses large responses for clients that
		// accept gzip; the proxy passes them on as they are.
		if resp.Header.Get("Content-Encoding") == "gzip" {
			zr, err := gzip.NewReader(bytes.NewReader(body))
			if err == nil {
				body, err = io.ReadAll(zr)
			}
			if err != nil {
				return fmt.Errorf("decompress %s response: %w", req, err)
			}
		}
		list, _, err := scheme.Codecs.UniversalDeserializer().Decode(body, nil, nil)
		if err != nil {
			return fmt.Errorf("decode %s response (%s): %w", req, contentType, err)
		}
		items, err := meta.ExtractList(list)
		if err != nil {
			return fmt.Errorf("%s response: %w", req, err)
		}
		p.addObjects(req, len(items))
	case "WATCH":
		count := func(n int) { p.addObjects(req, n) }
		if strings.HasPrefix(contentType, "application/vnd.kubernetes.protobuf") {
			resp.Body = &frameCounter{ReadCloser: resp.Body, count: count}
		} else {
			resp.Body = &lineCounter{ReadCloser: resp.Body, count: count}
		}
	}
	return nil
}

func (p *Proxy) addObjects(req Request, n int) {
	p.mu.Lock()
	p.objects[req] += n
	p.mu.Unlock()
}

// lineCounter counts the newline-terminated events of a JSON watch stream.
type lineCounter struct {
	io.ReadCloser
	count func(int)
}

func (c *lineCounter) Read(b []byte) (int, error) {
	n, err := c.ReadCloser.Read(b)
	if events := bytes.Count(b[:n], []byte{'\n'}); events > 0 {
		c.count(events)
	}
	return n, err
}

// frameCounter counts the frames of a protobuf watch stream: each event is
// a 4-byte big-endian length and that many bytes.
type frameCounter struct {
	io.ReadCloser
	count  func(int)
	header []byte // bytes of the next frame's length read so far
	skip   int    // bytes of the current frame still to pass
}

func (c *frameCounter) Read(b []byte) (int, error) {
	n, err := c.ReadCloser.Read(b)
	rest, frames := b[:n], 0
	for len(rest) > 0 {
		if c.skip > 0 {
			k := min(c.skip, len(rest))
			c.skip -= k
			rest = rest[k:]
			continue
		}
		k := min(4-len(c.header), len(rest))
		c.header = append(c.header, rest[:k]...)
		rest = rest[k:]
		if len(c.header) == 4 {
			c.skip = int(binary.BigEndian.Uint32(c.header))
			c.header = c.header[:0]
			frames++
		}
	}
	if frames > 0 {
		c.count(frames)
	}
	return n, err
}
