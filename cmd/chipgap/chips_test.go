package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
)

func runCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func TestChipsTable(t *testing.T) {
	code, out, errs := runCmd(t, "chips")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"a100-sxm4-40gb", "h100-sxm", "ascend-910b4", "ascend-950dt", "tpu-v6e", "gaudi3", "mi325x",
		"320 [280–376]", "synapse", "cann"} {
		if !strings.Contains(out, want) {
			t.Errorf("chips table lacks %q", want)
		}
	}
}

func TestChipsDetail(t *testing.T) {
	code, out, errs := runCmd(t, "chips", "ascend-910c")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"780 [752–800] TFLOP/s", "cm384_paper", "Serving Large Language Models on Huawei CloudMatrix384",
		"devices per chip     2", "ASSUMED", "3.2 [1.8–3.5] TB/s"} {
		if !strings.Contains(out, want) {
			t.Errorf("detail lacks %q:\n%s", want, out)
		}
	}
}

func TestChipsJSON(t *testing.T) {
	code, out, _ := runCmd(t, "chips", "--json")
	var v struct {
		Chips []struct {
			ID   string
			Peak map[string]struct {
				Min, Typ, Max float64
				Sources       []string
			}
		}
	}
	if code != 0 || json.Unmarshal([]byte(out), &v) != nil || len(v.Chips) < 26 {
		t.Fatalf("exit %d, %d chips", code, len(v.Chips))
	}
	for _, c := range v.Chips {
		if c.ID == "ascend-910b" {
			if bf := c.Peak["bf16"]; bf.Min != 280e12 || bf.Max != 376e12 || bf.Typ != 320e12 {
				t.Errorf("ascend-910b bf16 = %+v", bf)
			}
		}
	}
	code, out, _ = runCmd(t, "chips", "h100-sxm", "--json")
	var one struct {
		Chip    struct{ ID string }
		Sources []struct{ Key, Title string }
	}
	if code != 0 || json.Unmarshal([]byte(out), &one) != nil || one.Chip.ID != "h100-sxm" || len(one.Sources) < 3 {
		t.Errorf("chips h100-sxm --json: exit %d, %+v", code, one)
	}
}

func TestChipsErrors(t *testing.T) {
	code, _, errs := runCmd(t, "chips", "h100")
	if code != 2 || strings.Count(errs, "\n") != 1 || !strings.Contains(errs, "h100-sxm") {
		t.Errorf("unknown chip: exit %d, stderr %q", code, errs)
	}
	if code, _, _ := runCmd(t, "chips", "h100-sxm", "b200"); code != 2 {
		t.Errorf("two ids: exit %d, want 2", code)
	}
	if code, _, _ := runCmd(t, "chips", "--bogus"); code != 2 {
		t.Errorf("bad flag: exit %d, want 2", code)
	}
}
