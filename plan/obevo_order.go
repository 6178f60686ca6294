package plan

import (
	"strconv"

	"github.com/tandem-db/tandem"
)

// obevoDefaultOrder is the order of an Obevo object whose //// METADATA sets none.
const obevoDefaultOrder = 500

// obevoOrder is an Obevo object's order attribute (//// METADATA order=1): among objects of one
// type that are ready together, Obevo deploys the lowest first, as the metadata-group scenario
// needs (Z_COMMON, order=1, loads the rows the other static data scripts reference). Objects of
// other formats all have the default, so their order is untouched.
func obevoOrder(o *tandem.Object) int {
	if o.Format != tandem.FormatObevo {
		return obevoDefaultOrder
	}
	if v, ok := o.Attrs.Extra["order"]; ok {
		if n, err := strconv.Atoi(v); err == nil {
			return n
		}
	}
	return obevoDefaultOrder
}
