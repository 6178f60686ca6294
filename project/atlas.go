package project

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"io/fs"
	"path"
	"regexp"
	"strings"

	"github.com/tandem-db/tandem"
)

// atlasSumFile is the integrity file of an Atlas migration directory.
const atlasSumFile = "atlas.sum"

// atlasName reads the name of a file in an Atlas migration directory: the version is the name up
// to its first "_" (without ".sql"), the description the rest, as Atlas reads them.
func atlasName(base string) (migName, bool) {
	stem := strings.TrimSuffix(base, ".sql")
	version, desc, _ := strings.Cut(stem, "_")
	if version == "" {
		return migName{}, false
	}
	return migName{format: tandem.FormatAtlas, kind: migWhole, version: version, desc: desc}, true
}

// atlasFile is one .sql file of an Atlas directory, in name order, for its checksum.
type atlasFile struct {
	name string
	data []byte
}

// atlasHash is one line of atlas.sum: a file and its cumulative hash.
type atlasHash struct{ name, hash string }

// atlasDirective matches an Atlas directive at the start of a text, as Atlas's own pattern
// does, so that "-- atlas:sum ignore" on a file's first line is read alike.
var atlasDirective = regexp.MustCompile(`^([ -~]*)atlas:(\w+)(?: +([ -~]*))*`)

// atlasHashes computes the per-file lines of atlas.sum the way Atlas does: one SHA-256 runs over
// every file in name order, fed the file's name and then its content, and each file's hash is
// that running sum after it. So a file's hash covers every file before it too. A file whose
// first line is "atlas:sum ignore" feeds only its name and gets no line.
func atlasHashes(files []atlasFile) []atlasHash {
	h := sha256.New()
	var out []atlasHash
	for _, f := range files {
		h.Write([]byte(f.name))
		if m := atlasDirective.FindStringSubmatch(string(f.data)); m != nil && m[2] == "sum" && m[3] == "ignore" {
			continue
		}
		h.Write(f.data)
		out = append(out, atlasHash{f.name, base64.StdEncoding.EncodeToString(h.Sum(nil))})
	}
	return out
}

// atlasSum is the first line of atlas.sum (without "h1:"): the SHA-256 of every line's name
// and hash.
func atlasSum(hs []atlasHash) string {
	h := sha256.New()
	for _, x := range hs {
		h.Write([]byte(x.name))
		h.Write([]byte(x.hash))
	}
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

// parseAtlasSum reads atlas.sum: "h1:<sum>" then "<file> h1:<hash>" lines.
func parseAtlasSum(data []byte) (sum string, hs []atlasHash, ok bool) {
	sc := bufio.NewScanner(bytes.NewReader(data))
	if !sc.Scan() {
		return "", nil, false
	}
	sum, ok = strings.CutPrefix(strings.TrimSpace(sc.Text()), "h1:")
	if !ok {
		return "", nil, false
	}
	for sc.Scan() {
		name, hash, found := strings.Cut(sc.Text(), "h1:")
		if !found {
			return "", nil, false
		}
		hs = append(hs, atlasHash{strings.TrimSpace(name), hash})
	}
	return sum, hs, sc.Err() == nil
}

// checkAtlasSum refuses an Atlas directory whose files differ from its atlas.sum, as Atlas does:
// a migration edited (or added, or removed) after the sum was written may be one that a
// database already ran in its old form.
func (l *loader) checkAtlasSum(dir string, entries []fs.DirEntry) {
	sumPath := path.Join(dir, atlasSumFile)
	data, ok := l.read(sumPath)
	if !ok {
		return
	}
	const rehash = "check the change, then re-hash the directory with \"atlas migrate hash\""
	sum, recorded, ok := parseAtlasSum(data)
	if !ok {
		l.errs.addf(sumPath, 0, "%w: not an atlas.sum file (\"h1:<sum>\" then \"<file> h1:<hash>\" lines); re-create it with \"atlas migrate hash\"", ErrChecksum)
		return
	}
	if sum != atlasSum(recorded) {
		l.errs.addf(sumPath, 1, "%w: the file's own sum does not match its lines, so it was edited by hand; %s", ErrChecksum, rehash)
		return
	}
	var files []atlasFile
	for _, e := range entries { // ReadDir sorts by name, as Atlas orders the files
		if e.IsDir() || path.Ext(e.Name()) != ".sql" {
			continue
		}
		data, ok := l.read(path.Join(dir, e.Name()))
		if !ok {
			return
		}
		files = append(files, atlasFile{e.Name(), data})
	}
	actual := atlasHashes(files)
	for i := 0; i < len(actual) || i < len(recorded); i++ {
		switch {
		case i >= len(recorded):
			l.errs.addf(path.Join(dir, actual[i].name), 0, "%w: the file is not in %s; %s", ErrChecksum, sumPath, rehash)
		case i >= len(actual) || actual[i].name != recorded[i].name:
			if i < len(actual) && !atlasListed(recorded, actual[i].name) {
				l.errs.addf(path.Join(dir, actual[i].name), 0, "%w: the file is not in %s; %s", ErrChecksum, sumPath, rehash)
			} else {
				l.errs.addf(sumPath, 0, "%w: %s lists %s, which is missing; restore it, or %s", ErrChecksum, sumPath, recorded[i].name, rehash)
			}
		case actual[i].hash != recorded[i].hash:
			l.errs.addf(path.Join(dir, actual[i].name), 0, "%w: the file was changed after %s was written (its checksum differs), which Atlas refuses too; %s", ErrChecksum, sumPath, rehash)
		default:
			continue
		}
		return // the hashes are cumulative: after the first difference every one differs
	}
}

func atlasListed(hs []atlasHash, name string) bool {
	for _, h := range hs {
		if h.name == name {
			return true
		}
	}
	return false
}

// parseAtlas fills c from an Atlas migration file: the whole file is its SQL. Directives in the
// file's header (comment lines followed by a blank line, as Atlas reads them) are honoured:
// "atlas:txmode none" sets Attrs.NoTransaction; "nolint" and "sum" are Atlas's own business;
// "delimiter" and "checkpoint", which change what would run, are refused.
func parseAtlas(file string, data []byte, c *tandem.Change, errs *errList) {
	lines := fileLines(data)
	header := 0
	for header < len(lines) {
		s := strings.TrimSpace(lines[header])
		if !strings.HasPrefix(s, "--") && !strings.HasPrefix(s, "#") {
			break
		}
		header++
	}
	if header < len(lines) && strings.TrimSpace(lines[header]) == "" {
		for i := range header {
			m := atlasDirective.FindStringSubmatch(strings.TrimSpace(lines[i]))
			if m == nil {
				continue
			}
			switch name, arg := m[2], strings.TrimSpace(m[3]); name {
			case "txmode":
				switch arg {
				case "none":
					c.Attrs.NoTransaction = true
				case "file", "all":
				default:
					errs.addf(file, i+1, "%w: atlas:txmode %q (known: none, file, all)", ErrBadAttribute, arg)
				}
			case "nolint", "sum":
			case "delimiter", "checkpoint":
				errs.addf(file, i+1, "%w: atlas:%s is not supported by tandem; remove it (for delimiter, end statements with \";\" or use $$ bodies)", ErrMarker, name)
			default:
				errs.addf(file, i+1, "%w: unknown Atlas directive atlas:%s (known: txmode, nolint, sum)", ErrMarker, name)
			}
		}
	}
	c.SQL, c.SQLLine = section(lines, 0, len(lines))
}

// hasAtlasSum reports whether a migration folder is an Atlas directory: it holds atlas.sum and
// no file named like an up/down pair (Atlas writes those for golang-migrate-style directories,
// which tandem reads by their names).
func hasAtlasSum(entries []fs.DirEntry) bool {
	sum := false
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		if e.Name() == atlasSumFile {
			sum = true
		}
		if upDownName.MatchString(e.Name()) {
			return false
		}
	}
	return sum
}
