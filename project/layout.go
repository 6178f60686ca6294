package project

import (
	"path"
	"strings"

	"github.com/tandem-db/tandem"
)

// folderTypes maps the name of a per-object folder to the type of the objects in it. Besides
// the type names themselves it accepts plurals and the folder names Obevo uses (sp, usertype),
// so that Obevo projects and habits carry over.
var folderTypes = map[string]tandem.ObjectType{
	"table":      tandem.Table,
	"tables":     tandem.Table,
	"sequence":   tandem.Sequence,
	"sequences":  tandem.Sequence,
	"type":       tandem.UserType,
	"types":      tandem.UserType,
	"usertype":   tandem.UserType,
	"function":   tandem.Function,
	"functions":  tandem.Function,
	"procedure":  tandem.Procedure,
	"procedures": tandem.Procedure,
	"sp":         tandem.Procedure,
	"view":       tandem.View,
	"views":      tandem.View,
	"trigger":    tandem.Trigger,
	"triggers":   tandem.Trigger,
	"staticdata": tandem.StaticData,
	"data":       tandem.StaticData,
	"migration":  tandem.Migration,
}

// knownFolders is the list shown in warnings about unknown folders.
const knownFolders = "table, sequence, type, function, procedure, view, trigger, staticdata, migration"

// typeForFolder returns the object type held by a per-object folder of the given name (compared
// case-insensitively), and false for any other folder. The Obevo reader uses it too.
func typeForFolder(name string) (tandem.ObjectType, bool) {
	t, ok := folderTypes[strings.ToLower(name)]
	return t, ok
}

// objectExts are the extensions of per-object SQL files (Obevo's among them).
var objectExts = map[string]bool{".sql": true, ".ddl": true, ".spc": true, ".fnc": true, ".prc": true, ".trg": true}

// objectFile reports whether a file in a folder of type t holds an object, and the object's name:
// the file name up to its first dot, so that "users.test.csv" and "users.sql" both name users.
func objectFile(t tandem.ObjectType, base string) (name string, csv bool, ok bool) {
	ext := strings.ToLower(path.Ext(base))
	name, _, _ = strings.Cut(base, ".")
	if name == "" {
		return "", false, false
	}
	if ext == ".csv" {
		return name, true, t == tandem.StaticData
	}
	return name, false, objectExts[ext]
}

// quietFile reports whether a file that is not part of the project may be skipped without a
// warning: hidden files, documentation, and the SQLite database the CLI keeps in the project.
func quietFile(base string) bool {
	if strings.HasPrefix(base, ".") {
		return true
	}
	lower := strings.ToLower(base)
	switch path.Ext(lower) {
	case ".md", ".txt", ".rst", ".adoc", ".db", ".sqlite", ".sqlite3":
		return true
	}
	for _, suffix := range []string{"-wal", "-shm", "-journal"} {
		if strings.HasSuffix(lower, suffix) {
			return true
		}
	}
	switch lower {
	case "license", "licence", "notice", "authors", "owners", "codeowners":
		return true
	}
	return false
}

// quietDir reports whether a folder may be skipped without a warning (hidden folders such as .git).
func quietDir(base string) bool { return strings.HasPrefix(base, ".") || strings.HasPrefix(base, "_") }

// typeWords says "views are" for messages about a type.
func typeWords(t tandem.ObjectType) string {
	switch t {
	case tandem.StaticData:
		return "static data files are"
	case tandem.UserType:
		return "types are"
	case tandem.Repeatable:
		return "repeatable migrations are"
	}
	return string(t) + "s are"
}
