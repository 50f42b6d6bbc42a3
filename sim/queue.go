package sim

// queue is a binary min-heap of events ordered by (At, Prio, Seq). It is
// hand-written rather than container/heap so that nothing is boxed into
// interfaces, and it keeps each event's index so Cancel is O(log n).
type queue []*event

func less(a, b *event) bool {
	if a.At != b.At {
		return a.At < b.At
	}
	if a.Prio != b.Prio {
		return a.Prio < b.Prio
	}
	return a.Seq < b.Seq
}

func (q *queue) push(ev *event) {
	ev.index = len(*q)
	*q = append(*q, ev)
	q.up(ev.index)
}

func (q *queue) pop() *event {
	return q.remove(0)
}

// remove takes out the event at position i and returns it.
func (q *queue) remove(i int) *event {
	h := *q
	n := len(h) - 1
	ev := h[i]
	if i != n {
		h.swap(i, n)
	}
	h[n] = nil
	*q = h[:n]
	if i != n {
		if !q.down(i) {
			q.up(i)
		}
	}
	ev.index = -1
	return ev
}

func (q queue) swap(i, j int) {
	q[i], q[j] = q[j], q[i]
	q[i].index = i
	q[j].index = j
}

func (q queue) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !less(q[i], q[p]) {
			return
		}
		q.swap(i, p)
		i = p
	}
}

// down sifts i towards the leaves and reports whether it moved.
func (q queue) down(i int) bool {
	start := i
	n := len(q)
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		c := l
		if r := l + 1; r < n && less(q[r], q[l]) {
			c = r
		}
		if !less(q[c], q[i]) {
			break
		}
		q.swap(i, c)
		i = c
	}
	return i > start
}
