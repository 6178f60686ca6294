package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/deploy"
	"github.com/tandem-db/tandem/project"
)

// The folders an onboarding deploy moves failing files into, beside the file, as Obevo does: a
// file that failed goes into exceptions/, one that failed and names an object that failed
// before it in the same run into dependentOnExceptions/.
const (
	exceptionsDir          = "exceptions"
	dependentExceptionsDir = "dependentOnExceptions"
)

// fileMove is a file an onboarding deploy moved, and why.
type fileMove struct {
	From string `json:"from"` // project-relative, slash-separated
	To   string `json:"to"`
	// Err is the error that made the file fail; empty when it is moved back because it now
	// deploys.
	Err string `json:"error,omitempty"`
	// ErrFile is the file holding Err (To + ".exception"); empty when moved back.
	ErrFile string `json:"error_file,omitempty"`
	// NotMoved says why a failed file stays where it is: only an Obevo project's loader reads
	// the exceptions/ folders.
	NotMoved string `json:"not_moved,omitempty"`
}

// cmdDeployOnboarding is tandem deploy --onboarding: the deploy goes on past failing changes,
// and each failing file is moved into exceptions/ beside it, with its error in a .exception
// file; a file in exceptions/ that now deploys is moved back. It exits non-zero while anything
// fails.
func cmdDeployOnboarding(ctx context.Context, c *cli, opts deploy.Options) error {
	p, e, err := c.engine(ctx)
	if err != nil {
		return err
	}
	res, err := e.Deploy(ctx, p, deploy.Options{Tag: opts.Tag, Onboarding: true})
	var oe *deploy.OnboardingError
	if err != nil && !errors.As(err, &oe) {
		if res != nil && len(res.Steps) > 0 {
			printResult(c, "deploy", res)
		}
		return err
	}
	moves, mvErr := onboardFiles(c.projectDir, res, c.scrub)
	if c.json {
		type skipped struct {
			Step    string `json:"step"`
			Because string `json:"because"`
			Reason  string `json:"reason"`
		}
		notRun := []skipped{}
		for _, s := range res.Skipped {
			notRun = append(notRun, skipped{Step: stepLabel(s.Step), Because: s.Because, Reason: s.Reason})
		}
		c.writeJSON(c.stdout, struct {
			Deploy jsonResultDoc `json:"deploy"`
			Moved  []fileMove    `json:"moved"`
			NotRun []skipped     `json:"not_run"`
		}{jsonResult("deploy", res), moves, notRun})
	} else {
		if len(res.Steps) > 0 || err == nil {
			printResult(c, "deploy", res)
		}
		printOnboarding(c, res, moves)
	}
	return errors.Join(err, mvErr)
}

// printOnboarding says which files moved where and why, and what was not run.
func printOnboarding(c *cli, res *deploy.Result, moves []fileMove) {
	for _, m := range moves {
		if m.Err == "" {
			c.printf("moved %s back to %s: it deployed\n", m.From, m.To)
			continue
		}
		if m.NotMoved != "" {
			c.printf("not moved %s: it failed (%s):\n%s\n", m.From, m.NotMoved, indent(m.Err))
			continue
		}
		verb := "moved " + m.From + " to " + m.To
		if m.From == m.To {
			verb = "kept " + m.To
		}
		c.printf("%s: it failed (error in %s):\n%s\n", verb, m.ErrFile, indent(m.Err))
	}
	for _, s := range res.Skipped {
		c.printf("not run: %s (%s), as %s did not deploy\n", stepLabel(s.Step), s.Reason, s.Because)
	}
}

// onboardFiles moves the files of an onboarding deploy's result in the project folder dir:
// each failed Obevo object's file into exceptions/ (dependentOnExceptions/ when its SQL names an
// object that failed before it), with its error in <file>.exception, and each object deployed
// from one of those folders back to the folder above. Skipped files stay where they are.
// Errors are scrubbed before they are written.
func onboardFiles(dir string, res *deploy.Result, scrub func(string) string) ([]fileMove, error) {
	var moves []fileMove
	var errs []error
	failed := map[string]bool{} // files that failed
	var failedNames []string
	for _, f := range res.Failed {
		o := f.Step.Node.Object
		if failed[o.File] {
			continue
		}
		failed[o.File] = true
		if o.Format != tandem.FormatObevo {
			moves = append(moves, fileMove{From: o.File, To: o.File, Err: scrub(f.Err.Error()),
				NotMoved: fmt.Sprintf("only an Obevo project's files move into exceptions/; the %s layout reads no such folder", o.Format)})
			continue
		}
		folder := path.Dir(o.File)
		dependent := mentionsAny(f.Step.Node.SQL, failedNames)
		failedNames = append(failedNames, o.Name)
		target := folder
		switch path.Base(folder) {
		case exceptionsDir:
		case dependentExceptionsDir:
			if !dependent {
				target = path.Join(path.Dir(folder), exceptionsDir)
			}
		default:
			target = path.Join(folder, exceptionsDir)
			if dependent {
				target = path.Join(folder, dependentExceptionsDir)
			}
		}
		m := fileMove{From: o.File, To: path.Join(target, path.Base(o.File)), Err: scrub(f.Err.Error())}
		m.ErrFile = m.To + project.OnboardingErrorSuffix
		if err := moveFile(dir, m.From, m.To); err != nil {
			errs = append(errs, err)
			continue
		}
		if m.From != m.To {
			_ = os.Remove(filepath.Join(dir, filepath.FromSlash(m.From+project.OnboardingErrorSuffix)))
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(m.ErrFile)), []byte(m.Err+"\n"), 0o644); err != nil {
			errs = append(errs, fmt.Errorf("onboarding: write the error of %s: %w", m.To, err))
		}
		moves = append(moves, m)
	}
	back := map[string]bool{}
	for _, s := range res.Steps {
		if s.Step.Node == nil {
			continue
		}
		file := s.Step.Node.Object.File
		folder := path.Dir(file)
		if failed[file] || back[file] || (path.Base(folder) != exceptionsDir && path.Base(folder) != dependentExceptionsDir) {
			continue
		}
		back[file] = true
		m := fileMove{From: file, To: path.Join(path.Dir(folder), path.Base(file))}
		if err := moveFile(dir, m.From, m.To); err != nil {
			errs = append(errs, err)
			continue
		}
		_ = os.Remove(filepath.Join(dir, filepath.FromSlash(file+project.OnboardingErrorSuffix)))
		moves = append(moves, m)
	}
	return moves, errors.Join(errs...)
}

// moveFile renames the project file from to to, creating to's folder; it refuses to replace a
// file.
func moveFile(dir, from, to string) error {
	if from == to {
		return nil
	}
	src, dst := filepath.Join(dir, filepath.FromSlash(from)), filepath.Join(dir, filepath.FromSlash(to))
	if _, err := os.Stat(dst); err == nil {
		return fmt.Errorf("onboarding: cannot move %s to %s: a file is already there; keep one of the two and deploy again", from, to)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return fmt.Errorf("onboarding: move %s: %w", from, err)
	}
	if err := os.Rename(src, dst); err != nil {
		return fmt.Errorf("onboarding: move %s to %s: %w", from, to, err)
	}
	return nil
}

// mentionsAny reports whether sql names one of names as a whole word (any case): Obevo's test
// of whether a failure follows from an earlier one.
func mentionsAny(sql string, names []string) bool {
	for _, n := range names {
		if regexp.MustCompile(`(?i)(^|[^\w$])` + regexp.QuoteMeta(n) + `($|[^\w$])`).MatchString(sql) {
			return true
		}
	}
	return false
}
