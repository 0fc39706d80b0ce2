package infer

import (
	"strings"

	"github.com/rolecall/rolecall/remediate/python"
)

// shellText reads shell code (a script, a %%bash cell, a ! line) for AWS
// CLI calls. at maps an offset in text to a Site.
func (c *collector) shellText(text []byte, at func(off int, call string) Site) {
	start := 0
	for start < len(text) {
		end := start
		// a logical line: physical lines joined at a trailing backslash
		for end < len(text) && text[end] != '\n' {
			end++
			if end < len(text) && text[end] == '\n' && text[end-1] == '\\' {
				end++
			}
		}
		c.shellLine(text, start, end, at)
		start = end + 1
	}
}

// shellLine reads the commands of one line; ; && || and | separate them.
func (c *collector) shellLine(text []byte, a, b int, at func(off int, call string) Site) {
	words, _ := python.ShellWords(text, a, b)
	var cmd []python.ShellWord
	flush := func() {
		c.awsCLI(cmd, at)
		cmd = cmd[:0]
	}
	for _, w := range words {
		t := w.Text
		if strings.HasPrefix(t, "#") {
			break
		}
		switch t {
		case ";", "&&", "||", "|", "&":
			flush()
			continue
		}
		if strings.Contains(t, "\\\n") {
			continue
		}
		cmd = append(cmd, w)
	}
	flush()
}

func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '\'' || s[0] == '"') && s[len(s)-1] == s[0] {
		return s[1 : len(s)-1]
	}
	return s
}

// shellValue is what a shell word says: literal text, or the prefix
// before the first expansion.
func shellValue(s string) str {
	u := unquote(s)
	if s != u && s[0] == '\'' {
		return lit(u)
	}
	return untilField(u, "$`")
}

// awsCLI handles one command: aws s3 cp|sync|ls|rm|mv|mb, aws s3api OP,
// and aws SERVICE OP --param value, whose dashed names are the API's.
func (c *collector) awsCLI(ws []python.ShellWord, at func(off int, call string) Site) {
	i := 0
	for i < len(ws) && (strings.Contains(ws[i].Text, "=") && !strings.HasPrefix(ws[i].Text, "-") || ws[i].Text == "sudo" || ws[i].Text == "env") {
		i++
	}
	if i >= len(ws) || ws[i].Text != "aws" {
		return
	}
	var pos []string
	opts := map[string]string{}
	flags := map[string]bool{}
	for k := i + 1; k < len(ws); k++ {
		t := ws[k].Text
		if strings.HasPrefix(t, "--") {
			name := strings.TrimPrefix(t, "--")
			if n, v, ok := strings.Cut(name, "="); ok {
				opts[n] = v
			} else if k+1 < len(ws) && !strings.HasPrefix(ws[k+1].Text, "--") && !cliFlag[name] {
				opts[name] = ws[k+1].Text
				k++
			} else {
				flags[name] = true
			}
			continue
		}
		pos = append(pos, t)
	}
	if len(pos) < 2 {
		return
	}
	site := at(ws[i].Start, "aws "+pos[0]+" "+pos[1])
	if pos[0] == "s3" {
		c.awsS3CLI(site, pos[1], pos[2:], flags)
		return
	}
	svc := pos[0]
	if svc == "s3api" {
		svc = "s3"
	}
	a := args{kw: map[string]val{}}
	for n, v := range opts {
		a.kw[cliParam(n)] = val{s: shellValue(v)}
	}
	c.sdkCall(site, svc, strings.ReplaceAll(pos[1], "-", "_"), a, nil)
}

// cliFlag lists the AWS CLI options that take no value.
var cliFlag = map[string]bool{
	"recursive": true, "delete": true, "dryrun": true, "quiet": true, "no-progress": true, "human-readable": true,
	"summarize": true, "exact-timestamps": true, "size-only": true, "follow-symlinks": true, "no-follow-symlinks": true,
	"debug": true, "no-verify-ssl": true, "no-paginate": true, "no-sign-request": true, "force": true,
	"only-show-errors": true, "with-decryption": true,
}

// cliParam turns a CLI option name into the API parameter name:
// table-name -> TableName, query-execution-context -> QueryExecutionContext.
func cliParam(n string) string {
	var b strings.Builder
	for _, p := range strings.Split(n, "-") {
		if p == "" {
			continue
		}
		b.WriteString(strings.ToUpper(p[:1]) + p[1:])
	}
	s := b.String()
	if s == "LogGroupName" {
		return "logGroupName"
	}
	if s == "ModelId" {
		return "modelId"
	}
	return s
}

// awsS3CLI handles the high-level aws s3 commands.
func (c *collector) awsS3CLI(site Site, sub string, pos []string, flags map[string]bool) {
	vals := make([]str, len(pos))
	for i, p := range pos {
		vals[i] = shellValue(p)
	}
	isS3 := func(i int) bool { return i < len(pos) && strings.HasPrefix(strings.Trim(pos[i], `'"`), "s3://") }
	rec := flags["recursive"] || sub == "sync"
	switch sub {
	case "ls":
		if len(pos) == 0 {
			c.add(site, "s3:ListAllMyBuckets", "*", nil, "")
			return
		}
		c.s3List(site, vals[0], false)
	case "cp", "mv", "sync":
		if len(pos) < 2 {
			return
		}
		if isS3(0) {
			c.s3Access(site, vals[0], false, rec, false)
			if sub == "mv" {
				if b, k, ok := s3URL(vals[0], false); ok {
					c.add(site, "s3:DeleteObject", objectARN(b, k, rec), nil, "")
				}
			}
		}
		if isS3(1) {
			b, k, ok := s3URL(vals[1], false)
			if !ok {
				c.unknown(site, "s3:PutObject", "the bucket")
				return
			}
			res := objectARN(b, k, rec || strings.HasSuffix(k.s, "/"))
			c.add(site, "s3:PutObject", res, nil, "")
			c.add(site, "s3:AbortMultipartUpload", res, nil, "")
			if sub == "sync" {
				c.add(site, "s3:ListBucket", bucketARN(b), prefixCondition(k), "")
				if flags["delete"] {
					c.add(site, "s3:DeleteObject", res, nil, "")
				}
			}
		}
	case "rm":
		if len(pos) == 0 {
			return
		}
		b, k, ok := s3URL(vals[0], false)
		if !ok {
			c.unknown(site, "s3:DeleteObject", "the bucket")
			return
		}
		c.add(site, "s3:DeleteObject", objectARN(b, k, rec), nil, "")
		if rec {
			c.add(site, "s3:ListBucket", bucketARN(b), prefixCondition(k), "")
		}
	case "mb", "rb":
		if len(pos) == 0 {
			return
		}
		b, _, ok := s3URL(vals[0], false)
		act := map[string]string{"mb": "s3:CreateBucket", "rb": "s3:DeleteBucket"}[sub]
		if !ok {
			c.unknown(site, act, "the bucket")
			return
		}
		c.add(site, act, bucketARN(b), nil, "")
	case "presign":
		if len(pos) > 0 {
			c.s3Access(site, vals[0], false, false, false)
		}
	}
}
