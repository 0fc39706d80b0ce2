package main

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func TestColorDecision(t *testing.T) {
	tty := openPTY(t)
	for _, c := range []struct {
		name     string
		terminal bool
		env      map[string]string
		noColor  bool
		want     bool
	}{
		{"terminal", true, map[string]string{"TERM": "xterm-256color"}, false, true},
		{"TERM=dumb", true, map[string]string{"TERM": "dumb"}, false, false},
		{"NO_COLOR", true, map[string]string{"TERM": "xterm", "NO_COLOR": "1"}, false, false},
		{"--no-color", true, map[string]string{"TERM": "xterm"}, true, false},
		{"CI without a terminal", true, map[string]string{"TERM": "xterm", "CI": "true"}, false, false},
		{"pipe", false, map[string]string{"TERM": "xterm"}, false, false},
		{"pipe, CLICOLOR_FORCE", false, map[string]string{"CLICOLOR_FORCE": "1"}, false, true},
		{"pipe, FORCE_COLOR", false, map[string]string{"FORCE_COLOR": "1"}, false, true},
		{"pipe, FORCE_COLOR=0", false, map[string]string{"FORCE_COLOR": "0"}, false, false},
		{"TERM=dumb, FORCE_COLOR", true, map[string]string{"TERM": "dumb", "FORCE_COLOR": "true"}, false, true},
		{"NO_COLOR beats FORCE_COLOR", false, map[string]string{"FORCE_COLOR": "1", "NO_COLOR": "1"}, false, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, k := range []string{"TERM", "NO_COLOR", "CLICOLOR_FORCE", "FORCE_COLOR", "CI", "CLICOLOR", "COLORTERM"} {
				t.Setenv(k, c.env[k])
			}
			a := &app{stdout: io.Discard, noColor: c.noColor}
			if c.terminal {
				a.stdout = tty
			}
			if got := a.useColor(); got != c.want {
				t.Errorf("colour %v, want %v", got, c.want)
			}
		})
	}
	// End to end: forced colour reaches the text report, never JSON.
	dir, _ := repoWith(t)
	t.Setenv("CLICOLOR_FORCE", "1")
	t.Setenv("NO_COLOR", "")
	if r := rolecall(t, dir, "scan"); !strings.Contains(r.stdout, "\x1b[") {
		t.Errorf("CLICOLOR_FORCE: no colour in\n%s", r.stdout)
	}
	if r := rolecall(t, dir, "scan", "-f", "json"); strings.Contains(r.stdout, "\x1b[") {
		t.Error("colour in JSON")
	}
}

func TestHintsWrapToTheTerminal(t *testing.T) {
	tty := openPTY(t)
	if err := unix.IoctlSetWinsize(int(tty.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: 24, Col: 50}); err != nil {
		t.Skipf("cannot size the pseudo-terminal: %v", err)
	}
	a := &app{stdout: tty}
	if w := a.terminalWidth(); w != 50 {
		t.Fatalf("terminal width %d, want 50", w)
	}
	if w := (&app{stdout: &bytes.Buffer{}}).terminalWidth(); w != 0 {
		t.Errorf("a pipe has width %d, want 0 (no wrapping)", w)
	}
}
