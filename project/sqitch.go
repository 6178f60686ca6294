package project

import (
	"errors"
	"io/fs"
	"path"
	"regexp"
	"strconv"
	"strings"

	"github.com/tandem-db/tandem"
)

// A sqitch project is read in place: sqitch.plan lists its changes in deployment order, and each
// change has deploy/<name>.sql, revert/<name>.sql and verify/<name>.sql under the top folder.
// Each change becomes a numbered migration whose version is its position in the plan (1, 2,
// ...), so the plan order is the deployment order, and whose change is named after the sqitch
// change (history rows read "versioned.2/users"). Sqitch only ever appends to a plan, which keeps
// the positions stable; a change removed or inserted above deployed ones shows as edited
// migrations, never silently. The revert script is the rollback; the verify script runs after
// the deploy script, in its transaction (Change.Verify).

// Sqitch's file names.
const (
	sqitchPlanFile   = "sqitch.plan"
	sqitchConfigFile = "sqitch.conf"
)

// ErrSqitch: a sqitch plan or configuration holds something tandem cannot read (a reworked
// change, a conflict, a per-engine folder setting, a missing deploy script).
var ErrSqitch = errors.New("unsupported sqitch project")

// isSqitch reports whether the project root is a sqitch project: it has sqitch.plan or
// sqitch.conf.
func isSqitch(entries []fs.DirEntry) bool {
	for _, e := range entries {
		if !e.IsDir() && (e.Name() == sqitchPlanFile || e.Name() == sqitchConfigFile) {
			return true
		}
	}
	return false
}

// sqitchDirs are the places sqitch.conf may move.
type sqitchDirs struct {
	plan, deploy, revert, verify string
	verifyOff                    bool // [deploy] verify = false
}

// sqitchChangeLine is a change line of a plan: name [deps] date planner <email> # note.
var sqitchChangeLine = regexp.MustCompile(`^(\S+)(?:\s+\[([^\]]*)\])?\s+(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)\s+(.*?)\s*<([^>]*)>(?:\s+#\s?(.*))?$`)

// loadSqitch reads a sqitch project, and tandem.yaml beside it for environments.
func (l *loader) loadSqitch(hasConfig bool) {
	l.environmentsOnly(hasConfig, "sqitch")
	dirs := sqitchDirs{plan: sqitchPlanFile, deploy: "deploy", revert: "revert", verify: "verify"}
	if data, err := fs.ReadFile(l.fsys, sqitchConfigFile); err == nil {
		if !l.parseSqitchConf(data, &dirs) {
			return
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		l.readErr(sqitchConfigFile, "read", err)
	}
	if dirs.verifyOff {
		l.warnf("%s: verify scripts are not run: [deploy] verify = false", sqitchConfigFile)
	}
	data, ok := l.read(dirs.plan)
	if !ok {
		return
	}
	changes := map[string]int{} // name -> plan line
	n := 0
	for i, raw := range fileLines(data) {
		line := i + 1
		s := strings.TrimSpace(raw)
		switch {
		case s == "" || strings.HasPrefix(s, "#") || strings.HasPrefix(s, "%"):
			continue // blank, comment, pragma (%project=, %syntax-version=, %uri=)
		case strings.HasPrefix(s, "@"):
			continue // a tag names the changes above it; tandem tags runs instead (deploy --tag)
		}
		m := sqitchChangeLine.FindStringSubmatch(s)
		if m == nil {
			l.errs.addf(dirs.plan, line, "%w: not a change line (name [dependencies] date planner <email> # note), a tag (@name ...), a pragma (%%name=value) or a comment", ErrSqitch)
			continue
		}
		name := m[1]
		if strings.HasPrefix(name, "-") || strings.HasPrefix(name, "+") {
			l.errs.addf(dirs.plan, line, "%w: %q marks a change to revert or deploy again (the old plan syntax); list each change once, without + or -", ErrSqitch, name)
			continue
		}
		if prev, ok := changes[name]; ok {
			l.errs.addf(dirs.plan, line, "%w: change %s is reworked (first listed at line %d); tandem does not read reworked sqitch changes: write the new version as a change of its own name", ErrSqitch, name, prev)
			continue
		}
		for _, dep := range strings.Fields(m[2]) {
			l.checkSqitchDep(dirs.plan, line, name, dep, changes)
		}
		changes[name] = line
		n++
		l.addSqitchChange(dirs, name, n, line, m[6])
	}
	if n == 0 {
		l.errs.addf(dirs.plan, 0, "%w: the plan lists no changes; add them with sqitch add", ErrSqitch)
	}
}

// checkSqitchDep checks one dependency of a change: a required change must come earlier in the
// plan (the plan order is the deployment order, so it is then deployed first); a conflict with
// a change the plan deploys is refused.
func (l *loader) checkSqitchDep(plan string, line int, name, dep string, earlier map[string]int) {
	conflict := strings.HasPrefix(dep, "!")
	ref := strings.TrimPrefix(dep, "!")
	if i := strings.IndexByte(ref, ':'); i >= 0 {
		l.warnf("%s:%d: change %s: dependency %s names another sqitch project; tandem does not check it", plan, line, name, dep)
		return
	}
	ref, _, _ = strings.Cut(ref, "@")
	_, known := earlier[ref]
	switch {
	case conflict && known:
		l.errs.addf(plan, line, "%w: change %s conflicts with %s, which the plan deploys before it; tandem does not revert changes during a deploy: revert %s in a change of its own", ErrSqitch, name, ref, ref)
	case conflict:
		l.warnf("%s:%d: change %s: conflict %s names no earlier change; it is not checked", plan, line, name, dep)
	case !known && ref == name:
		l.errs.addf(plan, line, "%w: change %s requires itself (%s), which is how sqitch writes a reworked change; tandem does not read reworked changes", ErrSqitch, name, dep)
	case !known:
		l.errs.addf(plan, line, "%w: change %s requires %s, which is not listed above it; sqitch deploys in plan order, so move %s above or fix the name", ErrSqitch, name, ref, ref)
	}
}

// addSqitchChange builds the numbered migration of one plan change.
func (l *loader) addSqitchChange(dirs sqitchDirs, name string, n, planLine int, note string) {
	version := strconv.Itoa(n)
	key := tandem.Key("", tandem.Versioned, version)
	file := path.Join(dirs.deploy, name+".sql")
	data, err := fs.ReadFile(l.fsys, file)
	if errors.Is(err, fs.ErrNotExist) {
		l.errs.addf(dirs.plan, planLine, "%w: change %s has no deploy script %s; add it (sqitch add writes it) or remove the change from the plan", ErrSqitch, name, file)
		return
	}
	if err != nil {
		l.readErr(file, "read", err)
		return
	}
	lines := fileLines(data)
	c := &tandem.Change{Object: key, Name: name, File: file, Line: 1}
	c.SQL, c.SQLLine = section(lines, 0, len(lines))
	if c.SQLLine == 0 {
		c.SQLLine = 1
	}
	if note != "" {
		c.Attrs.Extra = map[string]string{"note": note}
	}
	if data, ok := l.readOptional(path.Join(dirs.revert, name+".sql")); ok {
		lines := fileLines(data)
		c.Rollback, c.RollbackLine = section(lines, 0, len(lines))
		c.RollbackFile, c.HasRollback = path.Join(dirs.revert, name+".sql"), true
	}
	if !dirs.verifyOff {
		vf := path.Join(dirs.verify, name+".sql")
		if data, ok := l.readOptional(vf); ok {
			lines := fileLines(data)
			if sql, line := section(lines, 0, len(lines)); firstContent(lines, 0, len(lines)) >= 0 {
				c.Verify = &tandem.Script{File: vf, SQL: sql, Line: line}
			}
		}
	}
	l.project.Objects = append(l.project.Objects, &tandem.Object{
		Key: key, Name: name, File: file, Format: tandem.FormatSqitch, Version: version, Changes: []*tandem.Change{c},
	})
}

// readOptional reads a file that may be absent: false without an error when it is, false with
// one recorded when it cannot be read.
func (l *loader) readOptional(p string) ([]byte, bool) {
	data, err := fs.ReadFile(l.fsys, p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false
	}
	if err != nil {
		l.readErr(p, "read", err)
		return nil, false
	}
	return data, true
}

// parseSqitchConf reads the folder settings of sqitch.conf (git config syntax): core.top_dir,
// core.plan_file, core.deploy_dir, core.revert_dir, core.verify_dir and deploy.verify. Folder
// settings of an [engine "..."] or [target "..."] section are refused, since which one sqitch
// would use depends on its command line. It reports false when it recorded an error.
func (l *loader) parseSqitchConf(data []byte, d *sqitchDirs) bool {
	section := ""
	top := ""
	set := map[string]string{}
	bad := false
	for i, raw := range fileLines(data) {
		s := strings.TrimSpace(raw)
		if s == "" || s[0] == '#' || s[0] == ';' {
			continue
		}
		if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
			section = strings.Join(strings.Fields(strings.Trim(s, "[]")), " ")
			continue
		}
		k, v, _ := strings.Cut(s, "=")
		k, v = strings.ToLower(strings.TrimSpace(k)), strings.Trim(strings.TrimSpace(v), `"`)
		dirKey := k == "top_dir" || k == "plan_file" || strings.HasSuffix(k, "_dir")
		switch {
		case section == "core" && dirKey:
			if k == "top_dir" {
				top = v
			} else {
				set[k] = v
			}
		case section == "deploy" && k == "verify":
			d.verifyOff = v == "false" || v == "0" || v == "no" || v == "off"
		case dirKey && (strings.HasPrefix(section, "engine") || strings.HasPrefix(section, "target")):
			l.errs.addf(sqitchConfigFile, i+1, "%w: %s in [%s] is not read; tandem reads the folders of [core] only: move the setting there", ErrSqitch, k, section)
			bad = true
		}
	}
	join := func(p string) string { return path.Clean(path.Join(top, p)) }
	d.plan, d.deploy, d.revert, d.verify = join(sqitchPlanFile), join("deploy"), join("revert"), join("verify")
	for k, v := range set {
		p := path.Clean(v)
		switch k {
		case "plan_file":
			d.plan = p
		case "deploy_dir":
			d.deploy = p
		case "revert_dir":
			d.revert = p
		case "verify_dir":
			d.verify = p
		}
	}
	ok := true
	for _, p := range []string{d.plan, d.deploy, d.revert, d.verify} {
		if !fs.ValidPath(p) {
			l.errs.addf(sqitchConfigFile, 0, "%w: %s is outside the project folder; keep the plan and scripts inside it", ErrSqitch, p)
			return false
		}
	}
	return ok && !bad
}

// environmentsOnly reads the environments of tandem.yaml beside a project of another tool's
// layout, warning about the keys that such a project does not use.
func (l *loader) environmentsOnly(hasConfig bool, layout string) {
	if !hasConfig {
		return
	}
	data, ok := l.read(configFile)
	if !ok {
		return
	}
	cfg, _ := parseConfig(data, &l.errs)
	l.project.Config.Environments = cfg.Environments
	if len(cfg.Schemas) > 0 || len(cfg.MigrationDirs) > 0 {
		l.warnf("%s: schemas and migrations are not read in a %s project; only environments are", configFile, layout)
	}
}
