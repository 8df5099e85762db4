package disclosure_test

import (
	"errors"
	"math/big"
)

// polytope is {x ≥ 0 : A x = b} with a feasible basis, found by phase one
// of the simplex method. All arithmetic is exact (big.Rat), so the bounds
// the tests compare are exact too.
type polytope struct {
	m, n  int          // equations; variables (artificial ones are n..n+m-1)
	t     [][]*big.Rat // m rows of n+m coefficients and the right-hand side
	basis []int        // the basic variable of each row
}

var errInfeasible = errors.New("no non-negative solution")

// newPolytope runs phase one: it adds an artificial variable per equation
// and minimises their sum.
func newPolytope(a [][]int64, b []int64, n int) (*polytope, error) {
	m := len(a)
	p := &polytope{m: m, n: n, t: make([][]*big.Rat, m), basis: make([]int, m)}
	for i := range m {
		sign := int64(1)
		if b[i] < 0 {
			sign = -1
		}
		row := make([]*big.Rat, n+m+1)
		for j := range row {
			row[j] = new(big.Rat)
		}
		for j := range n {
			row[j].SetInt64(sign * a[i][j])
		}
		row[n+i].SetInt64(1)
		row[n+m].SetInt64(sign * b[i])
		p.t[i], p.basis[i] = row, n+i
	}
	cost := make([]int64, n+m)
	for i := range m {
		cost[n+i] = -1
	}
	v, bounded := p.maximize(cost, n+m)
	if !bounded || v.Sign() < 0 {
		return nil, errInfeasible
	}
	// Drive the artificial variables, all zero now, out of the basis. A row
	// where that cannot be done is a redundant equation and stays inert.
	for i := range m {
		if p.basis[i] < n {
			continue
		}
		for j := range n {
			if p.t[i][j].Sign() != 0 && !p.isBasic(j) {
				p.pivot(i, j)
				break
			}
		}
	}
	return p, nil
}

func (p *polytope) isBasic(j int) bool {
	for _, b := range p.basis {
		if b == j {
			return true
		}
	}
	return false
}

func (p *polytope) clone() *polytope {
	q := &polytope{m: p.m, n: p.n, t: make([][]*big.Rat, p.m), basis: append([]int(nil), p.basis...)}
	for i, row := range p.t {
		q.t[i] = make([]*big.Rat, len(row))
		for j, v := range row {
			q.t[i][j] = new(big.Rat).Set(v)
		}
	}
	return q
}

// maximize runs the simplex method with Bland's rule (which cannot cycle)
// on the first cols variables, and returns the optimum or false when the
// objective is unbounded.
func (p *polytope) maximize(cost []int64, cols int) (*big.Rat, bool) {
	rhs := p.n + p.m
	reduced, tmp := new(big.Rat), new(big.Rat)
	for {
		enter := -1
		for j := range cols {
			if p.isBasic(j) {
				continue
			}
			reduced.SetInt64(cost[j])
			for i, b := range p.basis {
				if cost[b] != 0 {
					reduced.Sub(reduced, tmp.Mul(big.NewRat(cost[b], 1), p.t[i][j]))
				}
			}
			if reduced.Sign() > 0 {
				enter = j
				break
			}
		}
		if enter < 0 {
			z := new(big.Rat)
			for i, b := range p.basis {
				z.Add(z, tmp.Mul(big.NewRat(cost[b], 1), p.t[i][rhs]))
			}
			return z, true
		}
		leave := -1
		var best *big.Rat
		for i := range p.m {
			if p.t[i][enter].Sign() <= 0 {
				continue
			}
			r := new(big.Rat).Quo(p.t[i][rhs], p.t[i][enter])
			if c := cmpRat(r, best); leave < 0 || c < 0 || c == 0 && p.basis[i] < p.basis[leave] {
				leave, best = i, r
			}
		}
		if leave < 0 {
			return nil, false
		}
		p.pivot(leave, enter)
	}
}

func cmpRat(a, b *big.Rat) int {
	if b == nil {
		return -1
	}
	return a.Cmp(b)
}

func (p *polytope) pivot(r, e int) {
	inv := new(big.Rat).Inv(p.t[r][e])
	for _, v := range p.t[r] {
		v.Mul(v, inv)
	}
	tmp := new(big.Rat)
	for i, row := range p.t {
		if i == r || row[e].Sign() == 0 {
			continue
		}
		f := new(big.Rat).Set(row[e])
		for j, v := range row {
			v.Sub(v, tmp.Mul(f, p.t[r][j]))
		}
	}
	p.basis[r] = e
}

// bounds returns the least and the greatest value of variable k over the
// polytope; max is nil when k is unbounded above. integral reports whether
// the vertices where they are reached have whole coordinates: then whole
// numbers reach them too, and the bounds over whole numbers are the same.
func (p *polytope) bounds(k int) (lo, hi *big.Rat, integral bool) {
	cost := make([]int64, p.n+p.m)
	cost[k] = -1
	q := p.clone()
	lo, _ = q.maximize(cost, p.n) // x ≥ 0, so bounded
	lo.Neg(lo)
	integral = q.vertexIntegral()
	cost[k] = 1
	q = p.clone()
	hi, ok := q.maximize(cost, p.n)
	if !ok {
		hi = nil
	} else {
		integral = integral && q.vertexIntegral()
	}
	return lo, hi, integral
}

// vertexIntegral reports whether the basic solution of the tableau, the
// vertex the simplex method stopped at, has whole coordinates.
func (p *polytope) vertexIntegral() bool {
	for i, b := range p.basis {
		if b < p.n && !p.t[i][p.n+p.m].IsInt() {
			return false
		}
	}
	return true
}
