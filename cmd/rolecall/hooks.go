package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/rolecall/rolecall/internal/outfile"
	"github.com/rolecall/rolecall/internal/safefile"
	"github.com/rolecall/rolecall/scanner"
	"github.com/rolecall/rolecall/scanner/gitscan"
)

func newStagedCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "staged",
		Short: "Scan what `git commit` would record (for a pre-commit hook)",
		Long: `Scan the staged changes: every file whose staged version differs from HEAD's.
Only secrets that HEAD's version of the file did not already hold are
reported, so an old finding does not block every commit that touches the file.`,
		Example: `  rolecall staged
  rolecall hook install --pre-commit      # run it before every commit`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			g, err := a.openGit(a.dir)
			if err != nil {
				return dirHint(cmd, a.dir, err)
			}
			defer g.repo.Close()
			res, err := g.repo.ScanStaged(cmd.Context(), scanner.New(g.eng).WithFingerprintKey(g.key), a.gitOptions(false))
			if err != nil && !interrupted(err) {
				return err
			}
			err = a.finish(g.eng, res.Findings, res.Coverage(), g.failOn, err)
			a.blockedHelp(err, commitBlockedHelp, commitIncompleteHelp)
			return err
		},
	}
	a.addReportFlags(cmd.Flags())
	a.addScanFlags(cmd.Flags())
	addDirFlag(cmd.Flags(), &a.dir)
	a.addFailIncomplete(cmd.Flags(), true)
	return cmd
}

// blockedHelp says why a hook blocked: findings, or a scan that could not
// read everything.
func (a *app) blockedHelp(err error, found, incomplete string) {
	var ec exitCodeError
	if a.quiet || !errors.As(err, &ec) {
		return
	}
	switch ec.code {
	case exitOK, exitInterrupted:
	case exitIncomplete:
		fmt.Fprint(a.stderr, incomplete)
	default:
		fmt.Fprint(a.stderr, found)
	}
}

const commitIncompleteHelp = `
rolecall: commit blocked: part of what is staged could not be read (see the
  warnings above), so rolecall cannot say it holds no secret. Repair the
  repository (git fsck), or, if the index uses an extension rolecall does not
  read, follow the advice above. (--fail-incomplete=false in the hook, or
  git commit --no-verify, lets the commit through unchecked.)
`

const pushIncompleteHelp = `
rolecall: push blocked: part of what is being pushed could not be read (see
  the warnings above), so rolecall cannot say it holds no secret. A commit
  that cannot be read is missing or damaged: run git fsck, fetch the missing
  objects or re-clone. On a shallow clone run git fetch --unshallow.
  (--fail-incomplete=false in the hook, or git push --no-verify, lets the
  push through unchecked.)
`

const commitBlockedHelp = `
rolecall: commit blocked: the staged changes hold the secrets above.
  Fix: take the secret out of the file (read it from the environment, a
  secret manager or a named profile; ` + "`rolecall fix`" + ` rewrites AWS keys),
  git add the file again, and rotate the key if it was ever shared.
  False positive? Put a rolecall:allow comment on the line, or an allowlist
  in .rolecall.toml. (git commit --no-verify skips this check.)
`

// prePushUsage is what pre-push says when started by hand on a terminal,
// where it would otherwise wait for hook input that never comes.
const prePushUsage = `pre-push runs as a git pre-push hook: git writes one line per pushed ref
on its standard input, "<local ref> <local sha> <remote ref> <remote sha>".
Install it with "rolecall hook install", or pipe such lines in, e.g.
  echo "refs/heads/main $(git rev-parse main) refs/heads/main $(git rev-parse origin/main)" | rolecall pre-push
To scan commits by hand, use "rolecall history --range origin/main..main".`

const pushBlockedHelp = `
rolecall: push blocked: the commits being pushed hold the secrets above.
  Fix: take the secret out of the file and rewrite the commits that hold it
  (git commit --amend for the last one, git rebase -i for earlier ones), then
  push again. Rotate the key: once committed it may have been copied.
  False positive? Put a rolecall:allow comment on the line, or an allowlist
  in .rolecall.toml. (git push --no-verify skips this check.)
`

func newPrePushCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "pre-push [REMOTE [URL]]",
		Short: "Scan the commits a push would send (git pre-push hook)",
		Long: `Scan only the commits not yet on the remote. As a git pre-push hook it reads
git's standard input ("<local ref> <local sha> <remote ref> <remote sha>" per
ref): a new branch is scanned from where it leaves the remote-tracking
branches, an existing one from the remote's old tip, a delete not at all.
Under the pre-commit framework it reads PRE_COMMIT_FROM_REF and
PRE_COMMIT_TO_REF instead. Started on a terminal with neither, it says what
it expects and exits 2.`,
		Example: `  rolecall hook install --pre-push         # install it as .git/hooks/pre-push`,
		Args:    cobra.MaximumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if os.Getenv("PRE_COMMIT_TO_REF") == "" && a.stdinIsTerminal() {
				return errors.New(prePushUsage)
			}
			g, err := a.openGit(a.dir)
			if err != nil {
				return dirHint(cmd, a.dir, err)
			}
			defer g.repo.Close()
			sel, err := prePushSelection(g.repo, a)
			if err != nil {
				return err
			}
			if len(sel.Include) == 0 {
				return nil // only deletes, or nothing pushed
			}
			res, cov, err := a.scanScope(cmd, g, gitScope{sel: sel})
			if err != nil && !interrupted(err) {
				return err
			}
			err = a.finish(g.eng, res.Findings, cov, g.failOn, err)
			a.blockedHelp(err, pushBlockedHelp, pushIncompleteHelp)
			return err
		},
	}
	a.addReportFlags(cmd.Flags())
	a.addScanFlags(cmd.Flags())
	addDirFlag(cmd.Flags(), &a.dir)
	a.addFailIncomplete(cmd.Flags(), true)
	return cmd
}

// prePushSelection reads the pushed range from the pre-commit framework's
// environment, or else from git's hook input.
func prePushSelection(repo *gitscan.Repo, a *app) (gitscan.Selection, error) {
	if to := os.Getenv("PRE_COMMIT_TO_REF"); to != "" {
		var sel gitscan.Selection
		toHash, err := repo.Resolve(to)
		if err != nil {
			return sel, fmt.Errorf("PRE_COMMIT_TO_REF: %w", err)
		}
		from := os.Getenv("PRE_COMMIT_FROM_REF")
		var updates []gitscan.PushUpdate
		u := gitscan.PushUpdate{LocalRef: to, LocalSHA: toHash, NewBranch: true}
		if from != "" && strings.Trim(from, "0") != "" {
			if fromHash, err := repo.Resolve(from); err == nil {
				u.RemoteSHA, u.NewBranch = fromHash, false
			}
		}
		return repo.PushSelection(append(updates, u))
	}
	updates, err := gitscan.ParsePrePush(a.stdin)
	if err != nil {
		return gitscan.Selection{}, err
	}
	return repo.PushSelection(updates)
}

func newHookCmd(a *app) *cobra.Command {
	hook := &cobra.Command{
		Use:   "hook",
		Short: "Install git hooks that run rolecall",
		Args:  cobra.NoArgs, // an unknown subcommand is an error, not help
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	var prePush, preCommit, force bool
	install := &cobra.Command{
		Use:   "install",
		Short: "Write .git/hooks/pre-push (default) and/or pre-commit",
		Long: `Write a git hook that runs rolecall: pre-push scans the commits being pushed,
pre-commit scans the staged changes. An existing hook that rolecall did not
write is left alone unless --force is given (it is then kept as
<hook>.rolecall-backup). core.hooksPath is honoured.

The pre-commit framework users add this repository to .pre-commit-config.yaml
instead (hooks "rolecall" and "rolecall-pre-push").`,
		Example: `  rolecall hook install
  rolecall hook install --pre-commit --pre-push`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !prePush && !preCommit {
				prePush = true
			}
			repo, err := gitscan.Open(a.dir, 1)
			if err != nil {
				return dirHint(cmd, a.dir, err)
			}
			defer repo.Close()
			dir := hooksDir(repo)
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return fmt.Errorf("cannot create the hooks directory: %w", err)
			}
			for _, h := range []struct {
				on         bool
				name, args string
			}{{prePush, "pre-push", `pre-push "$@"`}, {preCommit, "pre-commit", "staged"}} {
				if !h.on {
					continue
				}
				path := filepath.Join(dir, h.name)
				if err := installHook(path, h.args, force); err != nil {
					return err
				}
				fmt.Fprintf(a.stdout, "installed %s\n", path)
			}
			return nil
		},
	}
	addDirFlag(install.Flags(), &a.dir)
	install.Flags().BoolVar(&prePush, "pre-push", false, "install the pre-push hook (the default)")
	install.Flags().BoolVar(&preCommit, "pre-commit", false, "install the pre-commit hook")
	install.Flags().BoolVar(&force, "force", false, "replace a hook rolecall did not write (the old one is kept as a backup)")
	hook.AddCommand(install)
	return hook
}

// hookMarker identifies hooks rolecall wrote, which it may overwrite.
const hookMarker = "# installed by rolecall hook install"

func installHook(path, args string, force bool) error {
	body := fmt.Sprintf(`#!/bin/sh
%s
# Remove this file to stop the check; git --no-verify skips it once.
if ! command -v rolecall >/dev/null 2>&1; then
  echo "rolecall: not found on PATH; install it (go install github.com/rolecall/rolecall/cmd/rolecall@latest) or remove $0" >&2
  exit 1
fi
exec rolecall %s
`, hookMarker, args)
	old, err := safefile.ReadFile(path, safefile.SmallCap) // a FIFO planted as the hook must not hang us
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return err
	case strings.Contains(string(old), hookMarker):
	case !force:
		return fmt.Errorf("%s exists and was not written by rolecall: merge it by hand, or pass --force to replace it (it will be kept as %s.rolecall-backup)", path, filepath.Base(path))
	default:
		if err := outfile.Write(path+".rolecall-backup", old, 0o755); err != nil {
			return fmt.Errorf("backing up %s: %w", path, err)
		}
	}
	return outfile.Write(path, []byte(body), 0o755)
}

// hooksDir honours core.hooksPath (relative to the work tree), else uses
// the common git directory's hooks/.
func hooksDir(repo *gitscan.Repo) string {
	if p := repo.ConfigValue("core", "hookspath"); p != "" {
		if strings.HasPrefix(p, "~/") {
			if home, err := os.UserHomeDir(); err == nil {
				p = filepath.Join(home, p[2:])
			}
		}
		if !filepath.IsAbs(p) {
			base := repo.WorkTree
			if base == "" {
				base = repo.Dir
			}
			p = filepath.Join(base, p)
		}
		return p
	}
	return filepath.Join(repo.CommonDir(), "hooks")
}

// dirHint rewords "not a git repository" for the commands that take no
// path argument: they take -C DIR.
func dirHint(cmd *cobra.Command, dir string, err error) error {
	if !strings.Contains(err.Error(), "not a git repository") {
		return err
	}
	return fmt.Errorf("%s is not in a git repository: run %s inside a clone, or name one with -C DIR", dir, cmd.CommandPath())
}

// addDirFlag registers -C DIR: run as if started in DIR, as git -C does.
func addDirFlag(fs *pflag.FlagSet, dir *string) {
	fs.StringVarP(dir, "dir", "C", ".", "run as if rolecall was started in `DIR` (like git -C)")
}
