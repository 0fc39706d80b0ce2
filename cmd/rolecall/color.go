package main

import (
	"os"

	"github.com/muesli/termenv"
	"golang.org/x/term"
)

// useColor reports whether the text report may use ANSI colours. In order:
// --no-color and NO_COLOR turn it off; CLICOLOR_FORCE or FORCE_COLOR (not
// "0") turn it on even when piped; otherwise only a terminal that can show
// colour gets it (not TERM=dumb, not under CI=...). A report written with
// --output never has colour.
func (a *app) useColor() bool {
	if a.noColor || a.output != "" {
		return false
	}
	out := termenv.NewOutput(a.stdout)
	if out.EnvNoColor() {
		return false
	}
	if v := os.Getenv("FORCE_COLOR"); v != "" && v != "0" && v != "false" {
		return true
	}
	return out.EnvColorProfile() != termenv.Ascii
}

// terminalWidth is the width of the terminal on standard output, or 0 when
// it is not a terminal (nothing is wrapped then).
func (a *app) terminalWidth() int {
	f, ok := a.stdout.(*os.File)
	if !ok {
		return 0
	}
	w, _, err := term.GetSize(int(f.Fd()))
	if err != nil {
		return 0
	}
	return w
}

// enableTerminalColors turns on ANSI escape processing in a Windows
// console (a no-op elsewhere); the returned function restores its mode.
func enableTerminalColors() func() {
	restore, err := termenv.EnableVirtualTerminalProcessing(termenv.NewOutput(os.Stdout))
	if err != nil || restore == nil {
		return func() {}
	}
	return func() { _ = restore() }
}
