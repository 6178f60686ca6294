package textdiff

// diffLines returns an edit script that turns x into y, as a list of ops in order.
//
// Lines are interned to integers first, and lines that occur in only one of the texts are set
// aside before the search: they are certainly deleted or inserted, and leaving them out keeps two
// long, wholly different texts from costing the square of their length (GNU diff does the same).
func diffLines(x, y []line) []op {
	ids := make(map[line]int, len(x)+len(y))
	intern := func(ls []line) []int {
		out := make([]int, len(ls))
		for i, l := range ls {
			id, ok := ids[l]
			if !ok {
				id = len(ids)
				ids[l] = id
			}
			out[i] = id
		}
		return out
	}
	xi, yi := intern(x), intern(y)
	inX := make([]bool, len(ids))
	inY := make([]bool, len(ids))
	for _, id := range xi {
		inX[id] = true
	}
	for _, id := range yi {
		inY[id] = true
	}
	// xc and yc mark the lines that change; the search below fills them in for the lines kept.
	xc := make([]bool, len(x))
	yc := make([]bool, len(y))
	var xk, yk []int // positions of the lines kept for the search
	for i, id := range xi {
		if inY[id] {
			xk = append(xk, i)
		} else {
			xc[i] = true
		}
	}
	for j, id := range yi {
		if inX[id] {
			yk = append(yk, j)
		} else {
			yc[j] = true
		}
	}
	d := differ{x: make([]int, len(xk)), y: make([]int, len(yk))}
	for i, p := range xk {
		d.x[i] = xi[p]
	}
	for j, p := range yk {
		d.y[j] = yi[p]
	}
	d.diff(0, len(d.x), 0, len(d.y))
	for _, o := range d.ops {
		switch o.Kind {
		case opDelete:
			xc[xk[o.I]] = true
		case opInsert:
			yc[yk[o.J]] = true
		}
	}
	// The unchanged lines of x and y are equal in number and in order, so they pair up.
	ops := make([]op, 0, len(x)+len(y))
	i, j := 0, 0
	for i < len(x) || j < len(y) {
		switch {
		case i < len(x) && xc[i]:
			ops = append(ops, op{opDelete, i, j})
			i++
		case j < len(y) && yc[j]:
			ops = append(ops, op{opInsert, i, j})
			j++
		default:
			ops = append(ops, op{opEqual, i, j})
			i++
			j++
		}
	}
	return ops
}

// differ runs the search over interned lines.
type differ struct {
	x, y []int
	ops  []op
}

// diff appends the ops for x[a0:a1] against y[b0:b1].
func (d *differ) diff(a0, a1, b0, b1 int) {
	// Common prefix and suffix need no search, and stripping them keeps the split below from
	// landing on an end of the ranges.
	pre := 0
	for a0+pre < a1 && b0+pre < b1 && d.x[a0+pre] == d.y[b0+pre] {
		pre++
	}
	suf := 0
	for a1-suf > a0+pre && b1-suf > b0+pre && d.x[a1-suf-1] == d.y[b1-suf-1] {
		suf++
	}
	for i := 0; i < pre; i++ {
		d.ops = append(d.ops, op{opEqual, a0 + i, b0 + i})
	}
	a0, b0 = a0+pre, b0+pre
	ea, eb := a1-suf, b1-suf
	switch {
	case a0 == ea:
		for j := b0; j < eb; j++ {
			d.ops = append(d.ops, op{opInsert, a0, j})
		}
	case b0 == eb:
		for i := a0; i < ea; i++ {
			d.ops = append(d.ops, op{opDelete, i, b0})
		}
	default:
		sx, sy, ok := d.bisect(a0, ea, b0, eb)
		if !ok {
			for i := a0; i < ea; i++ {
				d.ops = append(d.ops, op{opDelete, i, b0})
			}
			for j := b0; j < eb; j++ {
				d.ops = append(d.ops, op{opInsert, ea, j})
			}
		} else {
			d.diff(a0, sx, b0, sy)
			d.diff(sx, ea, sy, eb)
		}
	}
	for i := 0; i < suf; i++ {
		d.ops = append(d.ops, op{opEqual, ea + i, eb + i})
	}
}

// bisect finds the middle snake of x[a0:a1] against y[b0:b1] by running Myers' search from both
// ends at once, and returns the point where the two searches meet, as absolute indexes. ok is
// false when the ranges share no line.
func (d *differ) bisect(a0, a1, b0, b1 int) (sx, sy int, ok bool) {
	n, m := a1-a0, b1-b0
	maxD := (n + m + 1) / 2
	off := maxD
	size := 2*maxD + 2
	vf := make([]int, size)
	vb := make([]int, size)
	for i := range vf {
		vf[i], vb[i] = -1, -1
	}
	vf[off+1], vb[off+1] = 0, 0
	delta := n - m
	// With an odd delta the forward search meets the backward one; with an even delta, the
	// backward search meets the forward one.
	front := delta%2 != 0
	k1start, k1end, k2start, k2end := 0, 0, 0, 0
	for dd := 0; dd < maxD; dd++ {
		for k1 := -dd + k1start; k1 <= dd-k1end; k1 += 2 {
			k1off := off + k1
			var x1 int
			if k1 == -dd || (k1 != dd && vf[k1off-1] < vf[k1off+1]) {
				x1 = vf[k1off+1]
			} else {
				x1 = vf[k1off-1] + 1
			}
			y1 := x1 - k1
			for x1 < n && y1 < m && d.x[a0+x1] == d.y[b0+y1] {
				x1++
				y1++
			}
			vf[k1off] = x1
			switch {
			case x1 > n:
				k1end += 2
			case y1 > m:
				k1start += 2
			case front:
				k2off := off + delta - k1
				if k2off >= 0 && k2off < size && vb[k2off] != -1 {
					if x2 := n - vb[k2off]; x1 >= x2 {
						return a0 + x1, b0 + y1, true
					}
				}
			}
		}
		for k2 := -dd + k2start; k2 <= dd-k2end; k2 += 2 {
			k2off := off + k2
			var x2 int
			if k2 == -dd || (k2 != dd && vb[k2off-1] < vb[k2off+1]) {
				x2 = vb[k2off+1]
			} else {
				x2 = vb[k2off-1] + 1
			}
			y2 := x2 - k2
			for x2 < n && y2 < m && d.x[a1-x2-1] == d.y[b1-y2-1] {
				x2++
				y2++
			}
			vb[k2off] = x2
			switch {
			case x2 > n:
				k2end += 2
			case y2 > m:
				k2start += 2
			case !front:
				k1off := off + delta - k2
				if k1off >= 0 && k1off < size && vf[k1off] != -1 {
					x1 := vf[k1off]
					y1 := x1 - (k1off - off)
					if x1 >= n-x2 {
						return a0 + x1, b0 + y1, true
					}
				}
			}
		}
	}
	return 0, 0, false
}
