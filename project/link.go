package project

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"unicode/utf8"
)

// LinkError is returned, inside a *FileError, for a file or folder of the project reached
// through a symbolic link that leads outside the project. tandem reads a project and prints
// what it read (plan prints the SQL), so a link to /etc/passwd must not be followed.
type LinkError struct {
	// Link is the symbolic link, relative to the project root: the file read itself, or a folder
	// on its path.
	Link string
	// Target is where the link leads: a path relative to the project root ("../etc/passwd"), or
	// the absolute path the link holds.
	Target string
}

func (e *LinkError) Error() string {
	return fmt.Sprintf("symbolic link %s leads outside the project, to %s; tandem reads only files inside the project folder: copy the file into the project, or make the link point inside it", e.Link, e.Target)
}

// maxLinks bounds the links followed for one path, as the kernel's ELOOP does.
const maxLinks = 40

// linkGuard is Confine's file system: it wraps the file system of a project so that every
// path is checked to hold UTF-8 names only, every file and folder reached through a symbolic
// link to lie inside the project, and a link to a folder inside the project lists as a folder.
// rl is nil for a file system that cannot read links (no fs.ReadLinkFS): it has no links to
// follow, or does not say.
type linkGuard struct {
	fsys fs.FS
	rl   fs.ReadLinkFS
}

// Confine returns fsys with its symbolic links confined to it: a file or folder reached through
// a link that leads outside fsys (an absolute target, or ".." above the root) cannot be opened,
// read, listed or stat'ed, and the error is a *LinkError; links inside fsys are followed, a link
// to a folder listing as a folder. A path with a name that is not valid UTF-8, which io/fs
// cannot name (os.DirFS says only "invalid argument"), is a *NameError. Load confines the
// project by itself; Confine is for other readers of a project folder (move definitions).
func Confine(fsys fs.FS) fs.FS {
	if _, ok := fsys.(linkGuard); ok {
		return fsys
	}
	rl, _ := fsys.(fs.ReadLinkFS)
	return linkGuard{fsys: fsys, rl: rl}
}

// NameError is returned, inside a *FileError on its folder, for a file or folder whose name is
// not valid UTF-8.
type NameError struct {
	Dir  string // the folder that holds it, relative to the project root
	Name string // the name as the file system has it
}

func (e *NameError) Error() string {
	return fmt.Sprintf("file name %q is not valid UTF-8; rename it (tandem reads file and folder names as UTF-8)", e.Name)
}

// checkName returns a *NameError for the first element of name that is not valid UTF-8.
func checkName(name string) error {
	if utf8.ValidString(name) {
		return nil
	}
	elems := strings.Split(name, "/")
	for i, e := range elems {
		if !utf8.ValidString(e) {
			dir := path.Join(elems[:i]...)
			if dir == "" {
				dir = "."
			}
			return &NameError{Dir: dir, Name: e}
		}
	}
	return nil
}

// resolve returns name with every symbolic link on its path replaced by what it leads to, or a
// *LinkError for the first link that leads outside the root. Links are followed as the
// operating system follows them: a ".." in a target climbs from the folder the link resolved
// to. A path that does not exist is returned as far as it was resolved, so that the operation
// reports it as usual.
func (g linkGuard) resolve(name string) (string, error) {
	if err := checkName(name); err != nil {
		return "", err
	}
	if g.rl == nil || !fs.ValidPath(name) || name == "." {
		return name, nil
	}
	// pending is an element still to resolve, with the link whose target it came from
	type pending struct{ elem, link, target string }
	var todo []pending
	for _, e := range strings.Split(name, "/") {
		todo = append(todo, pending{elem: e})
	}
	var done []string // resolved elements: real folders inside the root
	links := 0
	for len(todo) > 0 {
		t := todo[0]
		todo = todo[1:]
		switch t.elem {
		case "", ".":
			continue
		case "..":
			// only a link's target holds ".."; fs.ValidPath refuses it in names
			if len(done) == 0 {
				return "", &LinkError{Link: t.link, Target: path.Join(path.Dir(t.link), t.target)}
			}
			done = done[:len(done)-1]
			continue
		}
		p := path.Join(append(done, t.elem)...)
		info, err := g.rl.Lstat(p)
		if err != nil {
			rest := []string{p}
			for _, r := range todo {
				rest = append(rest, r.elem)
			}
			return path.Join(rest...), nil
		}
		if info.Mode()&fs.ModeSymlink == 0 {
			done = append(done, t.elem)
			continue
		}
		if links++; links > maxLinks {
			return "", &fs.PathError{Op: "open", Path: name, Err: errors.New("too many levels of symbolic links")}
		}
		target, err := g.rl.ReadLink(p)
		if err != nil {
			return "", err
		}
		target = strings.ReplaceAll(target, `\`, "/")
		if path.IsAbs(target) || hasVolume(target) {
			return "", &LinkError{Link: p, Target: target}
		}
		var parts []pending
		for _, e := range strings.Split(target, "/") {
			parts = append(parts, pending{elem: e, link: p, target: target})
		}
		todo = append(parts, todo...)
	}
	if len(done) == 0 {
		return ".", nil
	}
	return path.Join(done...), nil
}

// hasVolume reports whether a link target starts with a Windows drive letter ("C:").
func hasVolume(target string) bool {
	return len(target) >= 2 && target[1] == ':' && (target[0]|0x20 >= 'a' && target[0]|0x20 <= 'z')
}

func (g linkGuard) Open(name string) (fs.File, error) {
	p, err := g.resolve(name)
	if err != nil {
		return nil, err
	}
	return g.fsys.Open(p)
}

func (g linkGuard) ReadFile(name string) ([]byte, error) {
	p, err := g.resolve(name)
	if err != nil {
		return nil, err
	}
	return fs.ReadFile(g.fsys, p)
}

func (g linkGuard) Stat(name string) (fs.FileInfo, error) {
	p, err := g.resolve(name)
	if err != nil {
		return nil, err
	}
	return fs.Stat(g.fsys, p)
}

// ReadDir lists a folder. An entry that is a symbolic link lists as what it leads to, a file or
// a folder, under the link's name; one that leads outside the project lists as what is there,
// so that the loader treats it as the file or folder it means, and is refused when it reads it.
func (g linkGuard) ReadDir(name string) ([]fs.DirEntry, error) {
	p, err := g.resolve(name)
	if err != nil {
		return nil, err
	}
	entries, err := fs.ReadDir(g.fsys, p)
	if err != nil {
		return entries, err
	}
	for i, e := range entries {
		if g.rl == nil || e.Type()&fs.ModeSymlink == 0 {
			continue
		}
		// Stat follows the link wherever it goes: only its kind is used, never its content.
		if info, err := fs.Stat(g.fsys, path.Join(p, e.Name())); err == nil {
			entries[i] = linkEntry{name: e.Name(), info: info}
		}
	}
	return entries, nil
}

// linkEntry is a folder entry for a symbolic link, described by what the link leads to.
type linkEntry struct {
	name string
	info fs.FileInfo
}

func (e linkEntry) Name() string               { return e.name }
func (e linkEntry) IsDir() bool                { return e.info.IsDir() }
func (e linkEntry) Type() fs.FileMode          { return e.info.Mode().Type() }
func (e linkEntry) Info() (fs.FileInfo, error) { return linkInfo{e.info, e.name}, nil }

type linkInfo struct {
	fs.FileInfo
	name string
}

func (i linkInfo) Name() string { return i.name }
