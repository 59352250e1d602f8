package awsapi

import (
	"net/url"
	"strings"
)

// FilePathPrefix starts the path of every attached-file URL (see FileHandler).
const FilePathPrefix = "/files/"

// filePath is the path of a file's upload and download URL.
func filePath(instanceID, fileID string) string {
	return FilePathPrefix + url.PathEscape(instanceID) + "/" + url.PathEscape(fileID)
}

// parseFilePath is the inverse of filePath, given an escaped path.
func parseFilePath(escaped string) (instanceID, fileID string, ok bool) {
	rest, ok := strings.CutPrefix(escaped, FilePathPrefix)
	if !ok {
		return "", "", false
	}
	a, b, ok := strings.Cut(rest, "/")
	if !ok || strings.Contains(b, "/") {
		return "", "", false
	}
	inst, err1 := url.PathUnescape(a)
	file, err2 := url.PathUnescape(b)
	if err1 != nil || err2 != nil || inst == "" || file == "" {
		return "", "", false
	}
	return inst, file, true
}

// FileAt implements connect.FileURLs: the instance and file an
// attached-file URL names, whatever its host (a presigned URL may have been
// handed out under another name of this server).
func (p *FilePresigner) FileAt(rawURL string) (instanceID, fileID string, ok bool) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", "", false
	}
	return parseFilePath(u.EscapedPath())
}
