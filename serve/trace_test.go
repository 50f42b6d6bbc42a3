package serve

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParseTraceCSVAndJSONL(t *testing.T) {
	csv := "# header comes after comments\ntimestamp, input_tokens, output_length, extra\n10.5,100,20,x\n\n11.0,200,30,y\n"
	got, err := ParseTrace(strings.NewReader(csv))
	if err != nil {
		t.Fatal(err)
	}
	want := []Request{{0, 100, 20}, {500 * time.Millisecond, 200, 30}}
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("CSV: got %+v, want %+v (times shifted to start at 0)", got, want)
	}
	jsonl := `{"arrival_s": 1, "prompt_tokens": 7, "output_tokens": 3}` + "\n" + `{"arrival_s": "2.25", "prompt_tokens": 8, "output": 4}`
	got, err = ParseTrace(strings.NewReader(jsonl))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[1] != (Request{1250 * time.Millisecond, 8, 4}) {
		t.Fatalf("JSONL: got %+v", got)
	}
}

func TestParseTraceErrorsNameTheLine(t *testing.T) {
	for _, tc := range []struct {
		in   string
		line int
		want string
	}{
		{"arrival_s,prompt_tokens,output_tokens\n0,10,5\n1,10\n", 3, "fields"},
		{"arrival_s,prompt_tokens,output_tokens\n0,10,5\n1,-4,5\n", 3, "prompt_tokens"},
		{"arrival_s,prompt_tokens,output_tokens\n5,10,5\n1,10,5\n", 3, "non-decreasing"},
		{"arrival_s,prompt_tokens\n0,10\n", 1, "output_tokens"},
		{`{"arrival_s":0,"prompt_tokens":1,"output_tokens":1}` + "\n" + `{"arrival_s":1,"prompt_tokens":1`, 2, "invalid JSON"},
		{`{"arrival_s":0,"prompt_tokens":1,"output_tokens":1}` + "\n\n" + `{"arrival_s":1,"prompt_tokens":1}`, 3, "missing key output_tokens"},
		{`{"arrival_s":"soon","prompt_tokens":1,"output_tokens":1}`, 1, "arrival_s"},
		// /dev/zero's one endless line: said in the trace's terms, not
		// bufio's "token too long".
		{strings.Repeat("0", 1<<20+1), 1, "a line of more than 1048576 bytes: want one request per line"},
	} {
		_, err := ParseTrace(strings.NewReader(tc.in))
		var te *TraceError
		if !errors.As(err, &te) || te.Line != tc.line || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseTrace(%q) = %v; want a TraceError on line %d mentioning %q", tc.in, err, tc.line, tc.want)
		}
	}
	if _, err := ParseTrace(strings.NewReader("# nothing\n")); err == nil {
		t.Error("an empty trace parsed without error")
	}
}

// FuzzParseTrace: any input either parses into valid requests in
// non-decreasing time from 0, or fails with an error; never a panic.
func FuzzParseTrace(f *testing.F) {
	f.Add("arrival_s,prompt_tokens,output_tokens\n0,10,5\n1.5,20,7\n")
	f.Add(`{"arrival_s":0,"prompt_tokens":1,"output_tokens":1}`)
	f.Fuzz(func(t *testing.T, in string) {
		rs, err := ParseTrace(strings.NewReader(in))
		if err != nil {
			return
		}
		for i, r := range rs {
			if r.Prompt < 1 || r.Output < 1 || r.Arrival < 0 || (i > 0 && r.Arrival < rs[i-1].Arrival) || (i == 0 && r.Arrival != 0) {
				t.Fatalf("request %d = %+v is invalid", i, r)
			}
		}
	})
}
