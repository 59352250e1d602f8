package awsapi

import "testing"

func TestFilePath(t *testing.T) {
	for _, tc := range []struct{ inst, file string }{
		{"i-1", "f-1"},
		{"inst", "email-message-0a1b"},
		{"a b", "c/d?e"},
	} {
		p := filePath(tc.inst, tc.file)
		inst, file, ok := parseFilePath(p)
		if !ok || inst != tc.inst || file != tc.file {
			t.Errorf("parseFilePath(filePath(%q, %q) = %q) = %q %q %v", tc.inst, tc.file, p, inst, file, ok)
		}
	}
	for _, p := range []string{"/files/", "/files/i", "/files/i/", "/files//f", "/files/i/f/g", "/other/i/f", "/files/i/%zz"} {
		if _, _, ok := parseFilePath(p); ok {
			t.Errorf("parseFilePath(%q) accepted", p)
		}
	}
}

// TestFileAt: the service resolves attachment URLs through the presigner;
// only attached-file URLs name a file, on any host.
func TestFileAt(t *testing.T) {
	p := &FilePresigner{}
	for _, tc := range []struct {
		url, inst, file string
		ok              bool
	}{
		{"http://localhost:8080/files/i-1/f-1?X-Amz-Expires=300&X-Amz-Signature=abc", "i-1", "f-1", true},
		{"https://mail.example.com/files/a%20b/c%2Fd", "a b", "c/d", true},
		{"https://bucket.s3.amazonaws.com/files/i-1/f-1/extra", "", "", false},
		{"https://bucket.s3.amazonaws.com/attachments/x.pdf", "", "", false},
		{"::not a url", "", "", false},
	} {
		inst, file, ok := p.FileAt(tc.url)
		if inst != tc.inst || file != tc.file || ok != tc.ok {
			t.Errorf("FileAt(%q) = %q %q %v, want %q %q %v", tc.url, inst, file, ok, tc.inst, tc.file, tc.ok)
		}
	}
}
