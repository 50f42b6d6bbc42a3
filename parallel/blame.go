package parallel

// Degree is one parallel degree of a layout that the devices refuse, as
// Blame weighs it: its name ("tp"), its value, and whether changing it
// alone (the others kept) would make the layout fit.
type Degree struct {
	Name  string
	Value int
	Fixes bool
}

// Blame is the index of the degree a refusal names: of those that alone
// would make the layout fit, the largest; where none would (fixable
// false), the largest of all; the first of equals either way. It is -1
// for no degrees. A training plan's devices (Plan.devicesError) and, in
// package inference, a serving instance too large for its deployment, a
// stage its degrees do not divide and weights that overflow a device
// (the degrees that raised would make them fit) name their degree by it.
func Blame(ds []Degree) (culprit int, fixable bool) {
	culprit = -1
	for pass := range 2 {
		for i, d := range ds {
			if (pass == 1 || d.Fixes) && (culprit < 0 || d.Value > ds[culprit].Value) {
				culprit = i
			}
		}
		if culprit >= 0 {
			return culprit, pass == 0
		}
	}
	return culprit, false
}
