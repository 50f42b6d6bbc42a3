package sim

import (
	"cmp"
	"math"
	"slices"
	"testing"
	"time"
)

func TestOrderTimePrioritySequence(t *testing.T) {
	e := New()
	var got []string
	add := func(at time.Duration, prio int8, name string) {
		e.Schedule(at, prio, func() { got = append(got, name) })
	}
	add(20, 0, "t20")
	add(10, 1, "t10p1-first")
	add(10, 0, "t10p0")
	add(10, 1, "t10p1-second")
	add(10, -1, "t10p-1")
	add(5, 9, "t5")
	e.Run()
	want := []string{"t5", "t10p-1", "t10p0", "t10p1-first", "t10p1-second", "t20"}
	if !slices.Equal(got, want) {
		t.Fatalf("order = %v, want %v", got, want)
	}
	if e.Now() != 20 || e.Fired() != 6 || e.Pending() != 0 {
		t.Fatalf("Now, Fired, Pending = %v, %d, %d; want 20, 6, 0", e.Now(), e.Fired(), e.Pending())
	}
}

func TestActionsScheduleAndCancel(t *testing.T) {
	var e Engine // zero value is usable
	var got []time.Duration
	var victim Handle
	e.Schedule(1, 0, func() {
		got = append(got, e.Now())
		e.After(0, 0, func() { got = append(got, e.Now()) }) // same instant, fires after
		e.After(4, 0, func() { got = append(got, e.Now()) })
		if !e.Cancel(victim) {
			t.Error("Cancel(pending) = false, want true")
		}
	})
	victim = e.Schedule(3, 0, func() { t.Error("cancelled event fired") })
	e.Run()
	if want := []time.Duration{1, 1, 5}; !slices.Equal(got, want) {
		t.Fatalf("times = %v, want %v", got, want)
	}
	if e.Cancel(victim) || e.Cancel(Handle{}) {
		t.Fatal("Cancel of a cancelled or zero handle = true, want false")
	}
}

func TestRunUntilAndStop(t *testing.T) {
	e := New()
	n := 0
	for i := 1; i <= 10; i++ {
		e.Schedule(time.Duration(i)*time.Second, 0, func() { n++ })
	}
	e.RunUntil(4 * time.Second)
	if n != 4 || e.Now() != 4*time.Second || e.Pending() != 6 {
		t.Fatalf("after RunUntil(4s): fired %d, now %v, pending %d; want 4, 4s, 6", n, e.Now(), e.Pending())
	}
	e.RunUntil(4500 * time.Millisecond)
	if e.Now() != 4500*time.Millisecond {
		t.Fatalf("Now = %v after an empty stretch, want 4.5s", e.Now())
	}
	e.Schedule(6*time.Second, -1, func() { e.Stop() })
	e.Run()
	if n != 5 || e.Now() != 6*time.Second {
		t.Fatalf("after Stop: fired %d, now %v; want 5 (the 5s event), 6s", n, e.Now())
	}
	e.Run()
	if n != 10 {
		t.Fatalf("resumed Run fired %d in all, want 10", n)
	}
}

func TestScheduleInPastPanics(t *testing.T) {
	e := New()
	e.RunUntil(10)
	defer func() {
		if recover() == nil {
			t.Fatal("Schedule(5) at Now = 10 did not panic")
		}
	}()
	e.Schedule(5, 0, func() {})
}

func TestObserverSeesEvents(t *testing.T) {
	e := New()
	var seen []Event
	e.Observe(func(ev Event) { seen = append(seen, ev) })
	e.ScheduleLabeled(7, 2, "fail", func() {})
	e.Schedule(3, 0, func() {})
	e.Run()
	want := []Event{{At: 3, Prio: 0, Seq: 2}, {At: 7, Prio: 2, Seq: 1, Label: "fail"}}
	if !slices.Equal(seen, want) {
		t.Fatalf("observed %+v, want %+v", seen, want)
	}
}

// TestHeapInvariant schedules and cancels pseudo-random events and checks
// the firing order against an independent sort of the survivors.
func TestHeapInvariant(t *testing.T) {
	r := NewStream(42, "heap")
	e := New()
	var fired []Event
	e.Observe(func(ev Event) { fired = append(fired, ev) })
	var all []Event
	var hs []Handle
	for i := 0; i < 2000; i++ {
		at, prio := time.Duration(r.IntN(300)), int8(r.IntN(5)-2)
		hs = append(hs, e.Schedule(at, prio, func() {}))
		all = append(all, Event{At: at, Prio: prio, Seq: uint64(i + 1)})
	}
	var keep []Event
	for i, h := range hs {
		if i%3 == 0 {
			e.Cancel(h)
			continue
		}
		keep = append(keep, all[i])
	}
	slices.SortFunc(keep, func(a, b Event) int {
		return cmp.Or(cmp.Compare(a.At, b.At), cmp.Compare(a.Prio, b.Prio), cmp.Compare(a.Seq, b.Seq))
	})
	e.Run()
	if !slices.Equal(fired, keep) {
		t.Fatalf("fired %d events out of order (want %d)", len(fired), len(keep))
	}
}

func TestStreamsReproducibleAndIndependent(t *testing.T) {
	a, b, c := NewStream(1, "failures"), NewStream(1, "failures"), NewStream(1, "arrivals")
	same, differ := true, false
	for range 100 {
		x, y, z := a.Uint64(), b.Uint64(), c.Uint64()
		same = same && x == y
		differ = differ || x != z
	}
	if !same || !differ {
		t.Fatalf("same name reproducible = %v (want true), other name differs = %v (want true)", same, differ)
	}
}

// TestExpMean checks the sample mean of Exp against its mean: with n = 2e5
// draws the standard error is mean/sqrt(n) ≈ 0.22 %, so 1 % is > 4 sigma.
func TestExpMean(t *testing.T) {
	r := NewStream(7, "exp")
	const n, mean = 200000, time.Hour
	var sum float64
	for range n {
		sum += float64(Exp(r, mean))
	}
	if got := sum / n / float64(mean); math.Abs(got-1) > 0.01 {
		t.Fatalf("mean of Exp(1h) = %.4f h, want 1 ± 0.01", got)
	}
	if Exp(r, 0) != 0 || LogNormal(r, -1, 1) != 0 {
		t.Fatal("non-positive mean or median should draw 0")
	}
}

// TestLogNormalMedian: half the draws fall below the median; the binomial
// standard error with n = 1e5 is 0.16 %, so 1 % is > 6 sigma.
func TestLogNormalMedian(t *testing.T) {
	r := NewStream(7, "lognormal")
	const n = 100000
	below := 0
	for range n {
		if LogNormal(r, time.Minute, 0.8) < time.Minute {
			below++
		}
	}
	if f := float64(below) / n; math.Abs(f-0.5) > 0.01 {
		t.Fatalf("fraction below median = %.4f, want 0.5 ± 0.01", f)
	}
}

func BenchmarkScheduleRun(b *testing.B) {
	r := NewStream(1, "bench")
	for b.Loop() {
		e := New()
		for i := 0; i < 1000; i++ {
			e.Schedule(time.Duration(r.IntN(1e6)), 0, func() {})
		}
		e.Run()
	}
}
