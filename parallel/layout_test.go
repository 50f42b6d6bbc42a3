package parallel

import (
	"reflect"
	"strings"
	"testing"
)

// 80 layers at pp 4 × vpp 7 (20 layers a stage in 7 virtual stages, the
// search's first plan for Llama 3.1 70B on 64 H100): Megatron-LM needs the
// split stated; the layout holds every layer once, the embedding first and
// the loss last, in PP·VPP stages.
func TestLayoutUneven(t *testing.T) {
	p := Plan{TP: 4, PP: 4, DP: 2, CP: 2, VPP: 7}
	vl := p.VirtualLayers(80)
	if want := []int{3, 3, 3, 3, 3, 3, 2}; len(vl) != 4 || !reflect.DeepEqual(vl[0], want) {
		t.Fatalf("virtual layers %v, want 4 stages of %v", vl, want)
	}
	got := p.Layout(80, 0)
	if want := "Ettt|(ttt|)*23(tt|)*3ttL"; got != want {
		t.Errorf("layout %q, want %q", got, want)
	}
	if n := strings.Count(expand(got), "|") + 1; n != 28 {
		t.Errorf("layout %q has %d stages, want 28", got, n)
	}
	if n := strings.Count(expand(got), "t"); n != 80 {
		t.Errorf("layout %q has %d layers, want 80", got, n)
	}
	for _, q := range []Plan{{PP: 4, VPP: 5}, {PP: 4, VPP: 1}, {PP: 1, VPP: 1}} {
		if s := q.Layout(80, 0); s != "" {
			t.Errorf("pp %d vpp %d on 80 layers: layout %q, want none (even)", q.PP, q.VPP, s)
		}
	}
	if s := (Plan{PP: 2, VPP: 3}).Layout(61, 1); !strings.HasPrefix(s, "E") || !strings.HasSuffix(s, "mL") || strings.Count(expand(s), "t") != 61 {
		t.Errorf("61 layers + 1 MTP at pp 2 vpp 3: layout %q", s)
	}
}

// expand unrolls a layout's "(…|)*n" and "t*n" as Megatron-Core's
// parse_str_to_list does.
func expand(s string) string {
	for {
		i := strings.Index(s, "(")
		if i < 0 {
			break
		}
		j := strings.Index(s[i:], ")*") + i
		k := j + 2
		for k < len(s) && s[k] >= '0' && s[k] <= '9' {
			k++
		}
		n := atoi(s[j+2 : k])
		s = s[:i] + strings.Repeat(s[i+1:j], n) + s[k:]
	}
	for {
		i := strings.Index(s, "*")
		if i < 0 {
			return s
		}
		k := i + 1
		for k < len(s) && s[k] >= '0' && s[k] <= '9' {
			k++
		}
		s = s[:i-1] + strings.Repeat(s[i-1:i], atoi(s[i+1:k])) + s[k:]
	}
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = 10*n + int(c-'0')
	}
	return n
}
