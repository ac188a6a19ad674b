package bottlerocket

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math/rand"
	"strings"
	"testing"
)

// bigInput renders to more than MaxUserDataBytes of TOML that gzip shrinks
// well (many similar labels).
func bigInput(labels int) Input {
	in := identity(Input{Strict: true, NodeLabels: map[string]string{}})
	for i := 0; i < labels; i++ {
		in.NodeLabels[fmt.Sprintf("example.com/label-%04d", i)] = fmt.Sprintf("value-%04d", i)
	}
	return in
}

// incompressibleInput renders to TOML above the limit even when gzipped:
// static pod manifests of random base64.
func incompressibleInput() Input {
	rng := rand.New(rand.NewSource(7))
	var frag strings.Builder
	for i := 0; i < 4; i++ {
		buf := make([]byte, 6000)
		rng.Read(buf)
		fmt.Fprintf(&frag, "[settings.kubernetes.static-pods.p%d]\nmanifest = %q\n", i, base64.StdEncoding.EncodeToString(buf))
	}
	return Input{Strict: true, CustomUserData: []string{frag.String()}}
}

func TestRender_Compression(t *testing.T) {
	small := identity(Input{Strict: true})
	big := bigInput(600)

	doc := mustRender(t, small)
	if doc.Compressed || !bytes.Equal(doc.Bytes, []byte(doc.TOML)) {
		t.Errorf("auto compressed a small document")
	}
	sum := sha256.Sum256(doc.Bytes)
	if doc.SHA256 != hex.EncodeToString(sum[:]) {
		t.Errorf("SHA256 is not the digest of Bytes")
	}

	big.Compression = CompressionAuto
	doc = mustRender(t, big)
	if len(doc.TOML) <= MaxUserDataBytes {
		t.Fatalf("test input too small: %d bytes", len(doc.TOML))
	}
	if !doc.Compressed || !bytes.HasPrefix(doc.Bytes, []byte{0x1f, 0x8b}) || len(doc.Bytes) > MaxUserDataBytes {
		t.Errorf("auto did not gzip a large document: compressed=%v size=%d", doc.Compressed, len(doc.Bytes))
	}
	if got, err := Decode(doc.Bytes); err != nil || got != doc.TOML {
		t.Errorf("Decode of gzipped bytes: %v", err)
	}

	small.Compression = CompressionAlways
	doc = mustRender(t, small)
	if !doc.Compressed || !bytes.HasPrefix(doc.Bytes, []byte{0x1f, 0x8b}) {
		t.Errorf("always did not gzip")
	}
	again := mustRender(t, small)
	if !bytes.Equal(doc.Bytes, again.Bytes) || doc.SHA256 != again.SHA256 {
		t.Errorf("gzip output is not deterministic")
	}
	// Header: no modification time, no name (FLG=0, MTIME=0).
	if doc.Bytes[3] != 0 || !bytes.Equal(doc.Bytes[4:8], []byte{0, 0, 0, 0}) {
		t.Errorf("gzip header carries a name or mtime: % x", doc.Bytes[:10])
	}

	big.Compression = CompressionNever
	_, problems := Render(big)
	assertProblems(t, problems, errAt(FieldCompression, -1, "", fmt.Sprintf("the user data is %d bytes and compression is \"never\"", len(mustRender(t, bigInput(600)).TOML))))

	in := incompressibleInput()
	_, problems = Render(in)
	assertProblems(t, problems, errAt(FieldNone, -1, "", "even gzipped"))

	small.Compression = "zstd"
	_, problems = Render(small)
	assertProblems(t, problems, errAt(FieldCompression, -1, "", `compression "zstd" is not one of`))
}

func TestRender_CompressionEmptyIsAuto(t *testing.T) {
	in := bigInput(600)
	in.Compression = ""
	if doc := mustRender(t, in); !doc.Compressed {
		t.Fatal("empty compression did not behave as auto")
	}
}

func TestDecode(t *testing.T) {
	if got, err := Decode([]byte("[settings]\n")); err != nil || got != "[settings]\n" {
		t.Errorf("plain: %q %v", got, err)
	}
	z, err := gzipDeterministic([]byte("x = 1\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := Decode(z); err != nil || got != "x = 1\n" {
		t.Errorf("gzip: %q %v", got, err)
	}
	if _, err := Decode(z[:5]); err == nil {
		t.Errorf("truncated gzip decoded")
	}
	if _, err := Decode([]byte{0xff, 0xfe}); err == nil || !strings.Contains(err.Error(), "not UTF-8") {
		t.Errorf("binary data decoded: %v", err)
	}
}
