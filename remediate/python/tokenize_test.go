package python

import (
	"fmt"
	"strings"
	"testing"

	"github.com/rolecall/rolecall/remediate/edit"
)

// show renders the significant tokens of src as KIND:text, trivia
// (spaces, comments, NL, continuations) included when all is set.
func show(src string, all bool) string {
	toks, _ := tokenize([]byte(src))
	var out []string
	for _, t := range toks {
		if !all && (t.kind == tWS) {
			continue
		}
		s := fmt.Sprintf("%s:%s", t.kind, src[t.start:t.end])
		if t.bad {
			s += "!"
		}
		out = append(out, s)
	}
	return strings.Join(out, " ")
}

func TestTokenize(t *testing.T) {
	cases := []struct{ src, want string }{
		{"x = 1\n", "NAME:x OP:= NUMBER:1 NEWLINE:\n"},
		{"f(a,\n  b)\n", "NAME:f OP:( NAME:a OP:, NL:\n NAME:b OP:) NEWLINE:\n"},
		{"# c\nx\n", "COMMENT:# c NL:\n NAME:x NEWLINE:\n"},
		{"x = 1  # c\r\n", "NAME:x OP:= NUMBER:1 COMMENT:# c NEWLINE:\r\n"},
		{"x = 1 + \\\n  2\n", "NAME:x OP:= NUMBER:1 OP:+ CONT:\\\n NUMBER:2 NEWLINE:\n"},
		{"s = rb'a\\'b' + F\"x\" + u'''t\n'''\n", "NAME:s OP:= STRING:rb'a\\'b' OP:+ STRING:F\"x\" OP:+ STRING:u'''t\n''' NEWLINE:\n"},
		{`r"\"" "\\"` + "\n", `STRING:r"\"" STRING:"\\" NEWLINE:` + "\n"},
		{`f"{x['k']:>{w}} {{y}}"` + "\n", `STRING:f"{x['k']:>{w}} {{y}}" NEWLINE:` + "\n"},
		{`f"{d["k"]}"` + "\n", `STRING:f"{d["k"]}" NEWLINE:` + "\n"}, // Python 3.12 quote reuse
		{"a == b != c\n", "NAME:a OP:== NAME:b OP:!= NAME:c NEWLINE:\n"},
		{"x **= 2; y //= 3\n", "NAME:x OP:**= NUMBER:2 OP:; NAME:y OP://= NUMBER:3 NEWLINE:\n"},
		{"n = 0x1F + 1e-5 + 1_000j + .5\n", "NAME:n OP:= NUMBER:0x1F OP:+ NUMBER:1e-5 OP:+ NUMBER:1_000j OP:+ NUMBER:.5 NEWLINE:\n"},
		{"%env A=b\n", "MAGIC:%env A=b NEWLINE:\n"},
		{"  !pip install x  # not a comment\n", "MAGIC:!pip install x  # not a comment NEWLINE:\n"},
		{"out = !ls -l\n", "NAME:out OP:= MAGIC:!ls -l NEWLINE:\n"},
		{"x = a % b\n", "NAME:x OP:= NAME:a OP:% NAME:b NEWLINE:\n"},
		{"f(\n%x)\n", "NAME:f OP:( NL:\n OP:% NAME:x OP:) NEWLINE:\n"},
		{"if x:\n    %time f()\n", "NAME:if NAME:x OP:: NEWLINE:\n MAGIC:%time f() NEWLINE:\n"},
		{"# %env A=b\n", "COMMENT:# %env A=b NL:\n"},
		{"s = 'abc\nx\n", "NAME:s OP:= STRING:'abc! NEWLINE:\n NAME:x NEWLINE:\n"},
		{"s = '''abc\n", "NAME:s OP:= STRING:'''abc\n!"},
		{"x = 1", "NAME:x OP:= NUMBER:1"},
		{"a ? $b `c`\n", "NAME:a ERROR:? ERROR:$ NAME:b ERROR:` NAME:c ERROR:` NEWLINE:\n"},
		{"é = 1\n", "NAME:é OP:= NUMBER:1 NEWLINE:\n"},
		{"\n\nx\n", "NL:\n NL:\n NAME:x NEWLINE:\n"},
	}
	for _, c := range cases {
		if got := show(c.src, false); got != c.want {
			t.Errorf("tokenize %q:\n got %s\nwant %s", c.src, got, c.want)
		}
	}
}

func TestValidate(t *testing.T) {
	cases := []struct{ src, err string }{
		{"x = f(a, [b, {c: d}])\n", ""},
		{"%env A=(\n!echo )\n", ""}, // brackets in magics are shell text
		{"s = 'it''s'\n", ""},
		{"x = (1,\n", `line 1: '(' is never closed`},
		{"x = 1)\n", `line 1: ')' closes nothing`},
		{"x = (1]\n", `line 1: ']' does not close '(' from line 1`},
		{"s = 'abc\n", "line 1: string is not terminated"},
		{"a = 1\ns = \"\"\"abc\n", "line 2: string is not terminated"},
		{"s = f'{x'\n", "line 1: string is not terminated"},
	}
	for _, c := range cases {
		err := Validate([]byte(c.src))
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != c.err {
			t.Errorf("Validate(%q) = %q, want %q", c.src, got, c.err)
		}
	}
}

// tiles checks that tokens cover src exactly, in order, none empty.
func tiles(src []byte) error {
	toks, _ := tokenize(src)
	at := 0
	for _, t := range toks {
		if t.start != at || t.end <= t.start || t.end > len(src) {
			return fmt.Errorf("token %s [%d,%d) at offset %d", t.kind, t.start, t.end, at)
		}
		at = t.end
	}
	if at != len(src) {
		return fmt.Errorf("tokens end at %d of %d", at, len(src))
	}
	return nil
}

var fuzzSeeds = []string{
	"import boto3\ns3 = boto3.client('s3', aws_access_key_id='AK', aws_secret_access_key='S')\n",
	"x = f\"{a!r:>{w}}\" + rb'\\x00' + '''\n'''\n",
	"%env A=b\n!export A=b\nout = !ls\n# %env A=b\n",
	"spark = SparkSession.builder \\\n    .config('a', 'b') \\\n    .getOrCreate()\n",
	"f(\"unterminated\n",
	"f\"{\"",
	"f'{x:{'",
	"\\",
	"'\\",
	"f'{\\",
	"x = 1\r\ny = 2\r",
	"((((]]]]",
	"\"\"\"",
	"0x.e+e-",
}

func FuzzTokenize(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		if err := tiles(src); err != nil {
			t.Fatal(err)
		}
		_ = Validate(src)
	})
}

// FuzzRewrite checks that Rewrite never panics, that its edits apply, and
// that a text that tokenized still does after the rewrite.
func FuzzRewrite(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s), uint16(len(s)/2), uint8(4), uint8(2), false)
	}
	for _, tables := range [][]string{
		{"import boto3\ns3 = boto3.client('s3', aws_access_key_id='<KEYID>', aws_secret_access_key='<SECRET>')\n"},
		{"KEY = \"<KEYID>\"\nif x:\n    os.environ[\"AWS_ACCESS_KEY_ID\"] = KEY\n%env AWS_SECRET_ACCESS_KEY=<SECRET>\n"},
		{"spark = SparkSession.builder \\\n    .config(\"spark.hadoop.fs.s3a.access.key\", \"<KEYID>\") \\\n    .getOrCreate()\n"},
		{"df = pd.read_csv(\"s3a://<KEYID>:<SECRET>@b/x\", storage_options={\"key\": \"<KEYID>\"})\n"},
		{"!export AWS_ACCESS_KEY_ID=<KEYID> && AWS_SECRET_ACCESS_KEY=<SECRET> aws s3 ls | head\n"},
	} {
		in, targets := fill(tables[0])
		for _, t := range targets {
			f.Add([]byte(in), uint16(t.Start), uint8(t.End-t.Start), uint8(t.Kind), true)
		}
	}
	f.Fuzz(func(t *testing.T, src []byte, start uint16, n uint8, k uint8, profile bool) {
		targets := []edit.Target{{Start: int(start), End: int(start) + int(n), Kind: edit.Kind(k % 6)}}
		opts := edit.Options{Hadoop: "3.4"}
		if profile {
			opts.Profile = "p"
		}
		res := Rewrite(src, targets, opts)
		if len(res.Outcomes) != 1 {
			t.Fatalf("%d outcomes", len(res.Outcomes))
		}
		out, err := edit.Apply(src, res.Edits)
		if err != nil {
			t.Fatal(err)
		}
		if uncovered(targets, res) >= 0 {
			t.Fatalf("a target reported fixed is not edited: %+v", res)
		}
		if Validate(src) == nil && Validate(out) != nil {
			t.Fatalf("the rewrite broke the text: %v\n%s", Validate(out), out)
		}
	})
}
