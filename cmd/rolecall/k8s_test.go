package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

type k8sContainer struct {
	Args         []string `yaml:"args"`
	VolumeMounts []struct {
		MountPath string `yaml:"mountPath"`
	} `yaml:"volumeMounts"`
}

type k8sDoc struct {
	Kind string `yaml:"kind"`
	Spec struct {
		Completions int `yaml:"completions"`
		Template    struct {
			Spec struct {
				InitContainers []k8sContainer `yaml:"initContainers"`
				Containers     []k8sContainer `yaml:"containers"`
			} `yaml:"spec"`
		} `yaml:"template"`
	} `yaml:"spec"`
}

func k8sContainers(t *testing.T, file string) (completions int, cs []k8sContainer) {
	t.Helper()
	data, err := os.ReadFile("../../deploy/k8s/" + file)
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var d k8sDoc
		if err := dec.Decode(&d); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if d.Kind == "Job" {
			completions = d.Spec.Completions
			cs = append(cs, d.Spec.Template.Spec.InitContainers...)
			cs = append(cs, d.Spec.Template.Spec.Containers...)
		}
	}
	return completions, cs
}

// The Indexed Job's reports land where a fresh volume already has a
// directory (rolecall does not create the parents of -o and --summary, as
// a shell's > does not), and the merge step reads every shard's report.
func TestK8sManifestsPaths(t *testing.T) {
	n, scan := k8sContainers(t, "org-scan.yaml")
	_, merge := k8sContainers(t, "org-merge.yaml")
	var outputs []string
	for _, c := range append(scan, merge...) {
		var mounts []string
		for _, m := range c.VolumeMounts {
			mounts = append(mounts, path.Clean(m.MountPath))
		}
		for i, a := range c.Args {
			var p string
			switch {
			case strings.HasPrefix(a, "--output="), strings.HasPrefix(a, "--summary="):
				_, p, _ = strings.Cut(a, "=")
			case a == "-o" && i+1 < len(c.Args):
				p = c.Args[i+1]
			default:
				continue
			}
			if !slices.Contains(mounts, path.Dir(p)) {
				t.Errorf("%s is written into %s, which a fresh volume (mounted at %v) does not have", p, path.Dir(p), mounts)
			}
			if strings.HasPrefix(a, "--output=") {
				outputs = append(outputs, p)
			}
		}
	}
	if n < 2 || len(outputs) != 1 || !strings.Contains(outputs[0], "$(SHARD)") {
		t.Fatalf("completions %d, shard outputs %v", n, outputs)
	}
	var merged []string
	for _, c := range merge {
		if len(c.Args) > 2 && c.Args[0] == "report" && c.Args[1] == "merge" && !slices.Contains(c.Args, "sarif") {
			merged = c.Args
		}
	}
	for i := range n {
		if p := strings.ReplaceAll(outputs[0], "$(SHARD)", strconv.Itoa(i)); !slices.Contains(merged, p) {
			t.Errorf("the merge step does not read shard %d's report %s: %v", i, p, merged)
		}
	}
}
