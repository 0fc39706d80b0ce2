//go:build !unix

package safefile

// ReadListed reads a file a directory listing has just reported as
// regular, of at most limit bytes (see OpenListed).
func ReadListed(path string, limit int64) ([]byte, error) { return readOpened(OpenListed, path, limit) }
