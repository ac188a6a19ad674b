package bottlerocket

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"unicode/utf8"
)

// gzipMagic is how Bottlerocket's early-boot-config recognises gzipped user
// data; anything else is read as plain text.
var gzipMagic = []byte{0x1f, 0x8b}

// gzipDeterministic compresses with an empty gzip header (no name, no
// modification time), so the same TOML always gives the same bytes and the
// same sha256, and Terraform plans stay quiet.
func gzipDeterministic(data []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, fmt.Errorf("create gzip writer: %w", err)
	}
	if _, err := zw.Write(data); err != nil {
		return nil, fmt.Errorf("gzip %d bytes of user data: %w", len(data), err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("finish gzip of %d bytes of user data: %w", len(data), err)
	}
	return buf.Bytes(), nil
}

// Decode turns the bytes EC2 holds for an instance (before base64) back
// into TOML text, gunzipping when they start with the gzip magic bytes as
// Bottlerocket does.
func Decode(userData []byte) (string, error) {
	data := userData
	if bytes.HasPrefix(userData, gzipMagic) {
		zr, err := gzip.NewReader(bytes.NewReader(userData))
		if err != nil {
			return "", fmt.Errorf("read gzip header of %d bytes of user data: %w", len(userData), err)
		}
		data, err = io.ReadAll(zr)
		if err != nil {
			return "", fmt.Errorf("gunzip %d bytes of user data: %w", len(userData), err)
		}
	}
	if !utf8.Valid(data) {
		return "", fmt.Errorf("user data is not UTF-8 text (%d bytes)", len(data))
	}
	return string(data), nil
}

// pack turns the canonical TOML into the bytes EC2 receives.
func pack(text string, c Compression) (*Document, *Problem) {
	raw := []byte(text)
	compress := false
	switch c {
	case CompressionAuto, "":
		compress = len(raw) > MaxUserDataBytes
	case CompressionAlways:
		compress = true
	case CompressionNever:
	default:
		p := errorProblem(fieldSource(FieldCompression), nil, "Invalid compression",
			fmt.Sprintf("compression %q is not one of \"auto\", \"always\", \"never\".", c))
		return nil, &p
	}
	out := raw
	if compress {
		z, err := gzipDeterministic(raw)
		if err != nil {
			p := errorProblem(fieldSource(FieldCompression), nil, "Cannot compress user data", err.Error())
			return nil, &p
		}
		out = z
	}
	if len(out) > MaxUserDataBytes {
		detail := fmt.Sprintf("the user data is %d bytes", len(out))
		if compress {
			detail += fmt.Sprintf(" even gzipped (%d bytes of TOML)", len(raw))
		} else if c == CompressionNever {
			detail += " and compression is \"never\"; gzip would bring it under the limit only if it compresses well (set compression = \"auto\")"
		}
		detail += fmt.Sprintf("; EC2 accepts at most %d bytes. Move large values (static pods, certificates, bootstrap-container user data) elsewhere.", MaxUserDataBytes)
		p := errorProblem(fieldSource(FieldCompression), nil, "User data too large", detail)
		if c != CompressionNever {
			p.Field = FieldNone
		}
		return nil, &p
	}
	sum := sha256.Sum256(out)
	return &Document{TOML: text, Bytes: out, Compressed: compress, SHA256: hex.EncodeToString(sum[:])}, nil
}
