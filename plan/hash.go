package plan

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"hash"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/internal/sqllex"
)

// hashSQL returns the hex SHA-256 of the normalized SQL, so that comments and layout do not count
// as edits.
func hashSQL(sql string, f sqllex.Flavor) string {
	sum := sha256.Sum256([]byte(sqllex.Normalize(sql, f)))
	return hex.EncodeToString(sum[:])
}

// hashData returns the hex SHA-256 of a static data table's columns and rows. Every value is
// written with its length and NULL apart from the empty string, so that no two different tables
// hash alike by shifting text between cells.
func hashData(d *tandem.Data) string {
	h := sha256.New()
	if d == nil {
		return hex.EncodeToString(h.Sum(nil))
	}
	writeInt(h, len(d.Columns))
	for _, c := range d.Columns {
		writeString(h, c)
	}
	writeInt(h, len(d.Rows))
	for _, r := range d.Rows {
		writeInt(h, len(r.Values))
		for _, v := range r.Values {
			if v == nil {
				h.Write([]byte{0})
				continue
			}
			h.Write([]byte{1})
			writeString(h, *v)
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

func writeInt(h hash.Hash, n int) {
	var b [binary.MaxVarintLen64]byte
	h.Write(b[:binary.PutUvarint(b[:], uint64(n))])
}

func writeString(h hash.Hash, s string) {
	writeInt(h, len(s))
	h.Write([]byte(s))
}
