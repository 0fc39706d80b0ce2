// Command rolecall finds cloud access keys and plaintext credentials in git
// repositories and Jupyter notebooks, and rewrites the code that holds them
// to use role-based or named-profile credentials.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"regexp"
	"strings"

	"github.com/rolecall/rolecall/internal/escape"
)

// version is stamped at release time with -ldflags "-X main.version=...".
var version = "dev"

// Exit codes. A scan that finds something exits with --exit-code (default 1).
const (
	exitOK          = 0
	exitError       = 2
	exitIncomplete  = 3   // nothing found, but part of the scope was not read
	exitInterrupted = 130 // 128 + SIGINT, as shells report it
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	restore := enableTerminalColors()
	go func() {
		// The first Ctrl-C stops the scan, which then reports what it found;
		// a second one kills the process as usual.
		<-ctx.Done()
		stop()
	}()
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	restore()
	stop()
	os.Exit(code)
}

// unknownCommand matches cobra's error for an unknown command and names
// the command it was given to.
var unknownCommand = regexp.MustCompile(`^unknown command "[^"]*" for "([^"]+)"`)

// exitCodeError ends a run with a chosen exit code; the message, if any, has
// already been printed.
type exitCodeError struct{ code int }

func (e exitCodeError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// run executes the command line and returns the process exit code. Tests call
// it in-process.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	app := &app{stdin: stdin, stdout: stdout, stderr: stderr}
	root := newRootCmd(app)
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if app.stopProfile != nil {
		app.stopProfile()
	}
	var ec exitCodeError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ec):
		return ec.code
	case interrupted(err):
		// Stopped before a scan had anything to report.
		fmt.Fprintln(stderr, "rolecall: interrupted; nothing was reported")
		return exitInterrupted
	default:
		msg := err.Error()
		if m := unknownCommand.FindStringSubmatch(msg); m != nil {
			// cobra's message ends with its suggestions.
			msg = strings.TrimRight(msg, "\n") + "\nRun '" + m[1] + " --help' for the commands."
		}
		fmt.Fprintf(stderr, "rolecall: %s\n", escape.Lines(msg)) // paths in errors come from input
		return exitError
	}
}
