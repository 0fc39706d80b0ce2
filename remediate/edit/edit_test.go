package edit

import "testing"

func TestApply(t *testing.T) {
	text := []byte("line one\nline two\nline three\n")
	cases := []struct {
		name  string
		edits []Edit
		want  string
		err   bool
	}{
		{"none", nil, string(text), false},
		{"replace", []Edit{{Start: 5, End: 8, New: "1"}}, "line 1\nline two\nline three\n", false},
		{"out of order", []Edit{{Start: 14, End: 17, New: "2"}, {Start: 5, End: 8, New: "1"}}, "line 1\nline 2\nline three\n", false},
		{"insert twice at one point", []Edit{{Start: 0, End: 0, New: "a"}, {Start: 0, End: 0, New: "b"}}, "ab" + string(text), false},
		{"delete a line", []Edit{DeleteLines(text, 12, 13)}, "line one\nline three\n", false},
		{"delete two lines", []Edit{DeleteLines(text, 0, 15)}, "line three\n", false},
		{"overlap", []Edit{{Start: 0, End: 5}, {Start: 3, End: 6}}, "", true},
		{"outside", []Edit{{Start: 0, End: 99}}, "", true},
	}
	for _, c := range cases {
		got, err := Apply(text, c.edits)
		if (err != nil) != c.err || err == nil && string(got) != c.want {
			t.Errorf("%s: got %q, %v", c.name, got, err)
		}
	}
	if Newline([]byte("a\r\nb")) != "\r\n" || Newline([]byte("a\nb")) != "\n" || Indent([]byte("x\n\t  y"), 3) != "\t  " {
		t.Error("Newline or Indent wrong")
	}
}
