package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestActionInstallsItsOwnRelease runs scripts/action-install.sh with a
// stand-in curl that serves a release from a directory: with no version
// input it installs the release the action is pinned to.
func TestActionInstallsItsOwnRelease(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash is not installed")
	}
	for _, tool := range []string{"tar", "sha256sum", "grep"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed", tool)
		}
	}
	release := t.TempDir()
	bin := t.TempDir()
	// The release: an archive with a rolecall that prints its version, and
	// checksums.txt.
	stage := t.TempDir()
	writeFile(t, filepath.Join(stage, "rolecall"), "#!/bin/sh\necho rolecall 0.1.0\n")
	os.Chmod(filepath.Join(stage, "rolecall"), 0o755)
	for _, c := range [][]string{
		{"tar", "-czf", filepath.Join(release, "rolecall_linux_amd64.tar.gz"), "-C", stage, "rolecall"},
		{"sh", "-c", "cd " + release + " && sha256sum rolecall_linux_amd64.tar.gz > checksums.txt"},
	} {
		if out, err := exec.Command(c[0], c[1:]...).CombinedOutput(); err != nil {
			t.Fatalf("%v: %v\n%s", c, err, out)
		}
	}
	// curl -fsSL --retry 3 -o FILE URL: copy the file the URL names, and
	// log the URL.
	writeFile(t, filepath.Join(bin, "curl"), `#!/bin/sh
out=""; url=""
while [ $# -gt 0 ]; do
  case "$1" in -o) out=$2; shift ;; --retry) shift ;; -*) ;; *) url=$1 ;; esac
  shift
done
echo "$url" >>"$CURL_LOG"
cp "$RELEASE/$(basename "$url")" "$out"
`)
	os.Chmod(filepath.Join(bin, "curl"), 0o755)
	script, _ := filepath.Abs(filepath.Join("..", "..", "scripts", "action-install.sh"))
	for _, c := range []struct {
		name, version, ref string
		want               string // in the URLs fetched
	}{
		{"pinned to a release", "", "v0.1.0", "/releases/download/v0.1.0/rolecall_linux_amd64.tar.gz"},
		{"version given", "v0.2.0", "v0.1.0", "/releases/download/v0.2.0/rolecall_linux_amd64.tar.gz"},
		{"latest asked", "latest", "v0.1.0", "/releases/latest/download/rolecall_linux_amd64.tar.gz"},
		{"pinned to a branch, no Go", "", "main", "/releases/latest/download/rolecall_linux_amd64.tar.gz"},
	} {
		t.Run(c.name, func(t *testing.T) {
			tmp := t.TempDir()
			log := filepath.Join(tmp, "curl.log")
			cmd := exec.Command(bash, script)
			cmd.Env = []string{"PATH=" + bin + ":/usr/bin:/bin", "RELEASE=" + release, "CURL_LOG=" + log,
				"ROLECALL_VERSION=" + c.version, "ACTION_REF=" + c.ref, "RUNNER_OS=Linux", "RUNNER_ARCH=X64",
				"RUNNER_TEMP=" + tmp, "GITHUB_PATH=" + filepath.Join(tmp, "path"), "ACTION_PATH=" + filepath.Dir(filepath.Dir(script))}
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			urls, _ := os.ReadFile(log)
			if !strings.Contains(string(urls), c.want) || !strings.Contains(string(out), "rolecall 0.1.0") {
				t.Errorf("fetched %s\n%s", urls, out)
			}
		})
	}
}
