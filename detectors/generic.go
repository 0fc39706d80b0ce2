package detectors

import (
	"bytes"
	"strings"
)

// The generic detector reports literal values assigned to credential-named
// variables, keys and keyword arguments: `password = "..."`, `api_key: ...`,
// `export DB_PASSWORD=...`, `%env TOKEN=...`, `connect(password='...')`.
// Names are judged by their last words, so that password_hash, max_tokens,
// public_key and monkey are left alone.

var credentialLastWords = map[string]bool{
	"password": true, "passwd": true, "pwd": true, "passphrase": true,
	"secret": true, "token": true, "apikey": true, "pat": true,
}

var credentialLastPairs = map[[2]string]bool{
	{"api", "key"}: true, {"access", "key"}: true, {"secret", "key"}: true,
	{"private", "key"}: true, {"auth", "key"}: true, {"account", "key"}: true,
	{"master", "key"}: true, {"encryption", "key"}: true, {"signing", "key"}: true,
	{"app", "key"}: true, {"subscription", "key"}: true, {"client", "key"}: true,
	{"db", "pass"}: true, {"user", "pass"}: true, {"admin", "pass"}: true,
}

// pairLasts holds the last words of credentialLastPairs: looked up first,
// it spares most names a lookup that hashes two strings.
var pairLasts = func() map[string]bool {
	m := map[string]bool{}
	for p := range credentialLastPairs {
		m[p[1]] = true
	}
	return m
}()

// Tokens that are not credentials (tokenizer vocabulary, pagination).
var nonSecretTokenWords = map[string]bool{
	"csrf": true, "xsrf": true, "bos": true, "eos": true, "pad": true, "unk": true,
	"sep": true, "cls": true, "mask": true, "start": true, "end": true, "special": true,
	"max": true, "num": true, "next": true, "page": true, "continuation": true,
	"sync": true, "cancellation": true, "cancel": true, "lexer": true, "input": true,
	"output": true, "first": true, "last": true, "new": true, "eot": true, "image": true,
	"default": true, "added": true, "vocab": true, "prefix": true, "suffix": true,
	// AWS API request tokens (ChangeToken, ClientToken, NextToken) are ids.
	"change": true, "client": true, "idempotency": true, "pagination": true,
	"resume": true, "marker": true, "request": true,
	// Tokenizer and DreamBooth vocabulary.
	"blank": true, "instance": true, "class": true, "sentinel": true, "unknown": true,
	// .NET PublicKeyToken is the hash of a public key.
	"key": true,
}

// splitName breaks an identifier into lower-case words at _, ., -, spaces and
// camelCase boundaries: "AWS_SECRET_ACCESS_KEY" and "secretAccessKey" both
// end in "access", "key".
func splitName(name string) []string {
	var words []string
	var cur []byte
	flush := func() {
		if len(cur) > 0 {
			words = append(words, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c == '_' || c == '.' || c == '-' || c == ' ':
			flush()
		case c >= 'A' && c <= 'Z':
			prevLower := i > 0 && (name[i-1] >= 'a' && name[i-1] <= 'z' || name[i-1] >= '0' && name[i-1] <= '9')
			nextLower := i+1 < len(name) && name[i+1] >= 'a' && name[i+1] <= 'z'
			prevUpper := i > 0 && name[i-1] >= 'A' && name[i-1] <= 'Z'
			if prevLower || prevUpper && nextLower {
				flush()
			}
			cur = append(cur, c)
		default:
			cur = append(cur, c)
		}
	}
	flush()
	return words
}

// credentialName reports whether an identifier names a credential.
func credentialName(name string) bool {
	return credentialWords(lastWords([]byte(name), []byte(strings.ToLower(name))))
}

// lastWords returns the last two words of an identifier as lower-case
// slices of lower (the same text, lower-cased), splitting like splitName
// but without allocating: this runs for every keyword hit.
func lastWords(orig, lower []byte) (prev, last []byte) {
	end := len(orig)
	var words [2][]byte
	n := 0
	for i := len(orig) - 1; i >= -1 && n < 2; i-- {
		boundary := i < 0
		skip := false
		if !boundary {
			c := orig[i]
			switch {
			case c == '_' || c == '.' || c == '-' || c == ' ':
				boundary, skip = true, true
			case c >= 'A' && c <= 'Z' && i > 0:
				p := orig[i-1]
				prevLower := p >= 'a' && p <= 'z' || p >= '0' && p <= '9'
				nextLower := i+1 < len(orig) && orig[i+1] >= 'a' && orig[i+1] <= 'z'
				boundary = prevLower || p >= 'A' && p <= 'Z' && nextLower
			}
		}
		if !boundary {
			continue
		}
		start := i
		if skip || i < 0 {
			start = i + 1
		}
		if start < end {
			words[n] = lower[start:end]
			n++
		}
		end = start
		if skip {
			end = i
		}
	}
	return words[1], words[0]
}

// credentialEnds has the last byte of every word credentialWords can
// accept as a name's last (whole words, pair ends, compound suffixes):
// most names a keyword hit lands in (tokenizer, keyBy, key_name) end
// otherwise and are dropped before any table lookup.
var credentialEnds = func() (t [256]bool) {
	words := append([]string{"pass"}, compoundSuffixes...)
	for w := range credentialLastWords {
		words = append(words, w)
	}
	for w := range pairLasts {
		words = append(words, w)
	}
	for _, w := range words {
		t[w[len(w)-1]] = true
	}
	return t
}()

// mayEndCredential is credentialWords' first test made on the end of a
// name (from a keyword hit in it) before the name is found and split: the
// last word ends where the name does, separators aside. An end that is
// all separators passes (the test needs the whole name).
func mayEndCredential(end []byte) bool {
	end = bytes.TrimRight(end, "_.- ")
	return len(end) == 0 || credentialEnds[lowerByte[end[len(end)-1]]]
}

func credentialWords(prev, last []byte) bool {
	if len(last) == 0 || !credentialEnds[last[len(last)-1]] {
		return false
	}
	if credentialLastWords[string(last)] {
		if string(last) == "token" && nonSecretTokenWords[string(prev)] {
			return false
		}
		if string(last) == "pat" && len(prev) == 0 {
			return false // too short alone to mean "personal access token"
		}
		return true
	}
	if string(last) == "pass" && len(prev) == 0 {
		return true
	}
	if len(prev) > 0 && pairLasts[string(last)] && credentialLastPairs[[2]string{string(prev), string(last)}] {
		return true
	}
	return compoundCredential(string(last))
}

// compoundSuffixes end one-word names that are credentials: PGPASSWORD,
// DBPASSWD, AUTHTOKEN, CLIENTSECRET (environment variables are often
// written without separators, so splitName sees one word).
var compoundSuffixes = []string{"password", "passwd", "secret", "token", "apikey"}

func compoundCredential(word string) bool {
	for _, suf := range compoundSuffixes {
		prefix, ok := strings.CutSuffix(word, suf)
		if !ok || prefix == "" {
			continue
		}
		return !(suf == "token" && nonSecretTokenWords[prefix]) // CSRFTOKEN, NEXTTOKEN
	}
	return false
}

// maxName is the longest identifier the generic detector considers.
const maxName = 128

func isNameByte(c byte) bool { return isWordByte(c) || c == '.' || c == '-' }

func detectGeneric(s *scan, r *Rule) []Match {
	var out []Match
	lastName := -1
	for _, h := range s.hitsOf(r) {
		// Names are short; a keyword inside a long run (base64, minified
		// code) is not a name, and walking the run per hit would be quadratic.
		// The end comes first: most names end in no credential word.
		b := nameEnd(s.text, h)
		if b-h > maxName || !mayEndCredential(s.text[h:b]) {
			continue
		}
		a := nameStart(s.text, h)
		if h-a > maxName {
			continue
		}
		// A leading "--" belongs to a CLI flag, not the name.
		for a < b && s.text[a] == '-' {
			a++
		}
		// Hits come in text order, so several keywords in one name
		// ("secret_token") arrive together.
		if a == lastName {
			continue
		}
		lastName = a
		if !credentialWords(lastWords(s.text[a:b], s.lowerRange(a, b))) {
			continue
		}
		name := string(s.text[a:b])
		start, end, quoted, ok := assignedLiteral(s.text, a, b, s.lang)
		if !ok {
			continue
		}
		// A credential word inside a string literal is prose (a prompt, a
		// message) unless the string itself holds the assignment
		// ("user=etl password=...", JSON in a string) or is the name
		// ("password": ...).
		if !literalHolds(s.text, a, b, start, end) {
			continue
		}
		value := string(s.text[start:end])
		sev, ok := genericStrength(name, value, quoted)
		if !ok {
			continue
		}
		out = append(out, Match{Rule: r, Start: start, End: end, Secret: value, Severity: sev})
	}
	return out
}

// lineBody is the line holding offset i without indentation and without the
// comment markers that jupytext and Databricks put before magics.
func lineBody(text []byte, i int) []byte {
	line := bytes.TrimLeft(lineOf(text, i), " \t")
	line = bytes.TrimPrefix(line, []byte("# MAGIC "))
	return bytes.TrimLeft(bytes.TrimPrefix(line, []byte("#")), " \t")
}

func hasAnyPrefix(line []byte, prefixes ...string) bool {
	for _, p := range prefixes {
		if bytes.HasPrefix(line, []byte(p)) {
			return true
		}
	}
	return false
}

// shellLine reports whether the line holding offset i assigns shell-style
// even inside code, so that `NAME=value` needs no quotes: export, %env,
// %set_env, !cmd, Dockerfile ENV and ARG, compose list entries.
func shellLine(text []byte, i int) bool {
	return hasAnyPrefix(lineBody(text, i), "export ", "%env ", "%set_env ", "!", "%%bash", "%%sh", "ENV ", "ARG ", "- ")
}

// spaceAssignLine reports whether `NAME value` (a space, no operator)
// assigns on this line: IPython's %env and Dockerfile ENV/ARG. Elsewhere a
// name followed by a word is prose ("the token comprising...").
func spaceAssignLine(text []byte, i int) bool {
	return hasAnyPrefix(lineBody(text, i), "%env ", "%set_env ", "ENV ", "ARG ")
}

// assignedLiteral finds the literal assigned to the name at text[a:b]. It
// returns the span of the value without its quotes, and whether it was
// quoted.
func assignedLiteral(text []byte, a, b int, lang Lang) (start, end int, quoted, ok bool) {
	if start, end, ok := xmlPropertyValue(text, b); ok {
		return start, end, true, true
	}
	if start, end, ok := hclVariableDefault(text, a, b); ok {
		return start, end, true, true
	}
	i := b
	// A quoted name: "password": ..., os.environ["TOKEN"] = ..., Sys.setenv("X"=...)
	if a > 0 && i < len(text) && (text[a-1] == '"' || text[a-1] == '\'') && text[i] == text[a-1] {
		i++
	}
	if i < len(text) && text[i] == ']' {
		i++
	}
	i = skipSpaces(text, i)
	switch {
	case i >= len(text):
		return 0, 0, false, false
	case hasPrefixAt(text, i, "==") || hasPrefixAt(text, i, "!="):
		return 0, 0, false, false
	case hasPrefixAt(text, i, ":=") || hasPrefixAt(text, i, "<-") || hasPrefixAt(text, i, "=>"):
		i += 2
	case text[i] == '=' || text[i] == ':' && !hasPrefixAt(text, i, "::"):
		i++
	default:
		// "ENV NAME value", "%env NAME value", netrc "password value"
		if !(i > b && (lang == LangNetrc || spaceAssignLine(text, a))) {
			return 0, 0, false, false
		}
	}
	i = skipSpaces(text, i)
	if i >= len(text) {
		return 0, 0, false, false
	}
	// String prefixes: r"", b"", f"" (an f-string with {} is an interpolation).
	fstring := false
	for j := i; j < len(text) && j < i+3 && strings.IndexByte("rRbBuUfF", text[j]) >= 0; j++ {
		if j+1 < len(text) && (text[j+1] == '"' || text[j+1] == '\'') {
			fstring = bytes.ContainsAny(text[i:j+1], "fF")
			i = j + 1
			break
		}
	}
	switch q := text[i]; q {
	case '"', '\'', '`':
		start, end, ok := quotedValue(text, i)
		if !ok || fstring && bytes.ContainsAny(text[start:end], "{") {
			return 0, 0, false, false
		}
		return start, end, true, true
	}
	if !lang.unquotedValues() && !shellLine(text, a) {
		return 0, 0, false, false
	}
	start = i
	for i < len(text) && !strings.ContainsRune(" \t\r\n;,'\"`)]}", rune(text[i])) {
		i++
	}
	v := text[start:i]
	// YAML tags and anchors, calls, structures, type hints, flags, colours.
	if len(v) == 0 || bytes.ContainsAny(v[:1], "!*&@([{-<#") || bytes.ContainsAny(v, "([") {
		return 0, 0, false, false
	}
	return start, i, false, true
}

// quotedValue returns the content of the string literal opening at text[i],
// which must close on the same line (triple quotes may not).
func quotedValue(text []byte, i int) (int, int, bool) {
	q := text[i]
	if i+2 < len(text) && text[i+1] == q && text[i+2] == q {
		start := i + 3
		j := bytes.Index(text[start:], []byte{q, q, q})
		if j < 0 {
			return 0, 0, false
		}
		return start, start + j, true
	}
	start := i + 1
	for j := start; j < len(text); j++ {
		switch text[j] {
		case '\\':
			j++
		case '\n':
			return 0, 0, false
		case q:
			return start, j, true
		}
	}
	return 0, 0, false
}

func skipSpaces(text []byte, i int) int {
	for i < len(text) && (text[i] == ' ' || text[i] == '\t') {
		i++
	}
	return i
}

func hasPrefixAt(text []byte, i int, p string) bool {
	return i+len(p) <= len(text) && string(text[i:i+len(p)]) == p
}

// isWord reports whether v is letters only, all lower case or capitalised.
func isWord(v string) bool {
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !(c >= 'a' && c <= 'z' || i == 0 && c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

var fileSuffixes = []string{".json", ".pem", ".key", ".txt", ".yaml", ".yml", ".cfg", ".env",
	".p12", ".pfx", ".jks", ".crt", ".ini", ".conf", ".csv", ".pkl", ".gpg"}

// genericStrength decides whether a literal is worth reporting and how
// likely it is to be live: random-looking values are high, password-like
// ones medium, short or dictionary-like ones low.
func genericStrength(name, v string, quoted bool) (Severity, bool) {
	if len(v) < 6 || len(v) > 512 {
		return 0, false
	}
	words := splitName(name)
	last := words[len(words)-1]
	if isWord(v) && (!quoted || last == "token" && len(v) < 16) {
		// A bare word unquoted is prose, CSS or an enum value
		// (password: required); under a *token name it is an NLP token.
		return 0, false
	}
	lv := strings.ToLower(v)
	switch {
	case strings.ContainsAny(v[:1], "/~.") || strings.HasPrefix(lv, "c:\\"):
		return 0, false // a path
	case strings.Contains(lv, "://"):
		return 0, false // URLs are judged by the url-credentials rule
	case strings.Contains(v, " ") && strings.Count(v, " ") >= 2:
		return 0, false // prose, a prompt or a message
	case strings.HasPrefix(lv, "env:") || strings.HasPrefix(lv, "vault:") || strings.HasPrefix(lv, "arn:"):
		return 0, false // references resolved elsewhere
	case strings.Contains(v, `\w`) || strings.Contains(v, `\d`) || strings.Contains(v, `\s`) || strings.HasPrefix(v, "[^"):
		return 0, false // a regular expression (token_pattern=...)
	case strings.HasSuffix(v, "*"):
		return 0, false // a wildcard pattern (IAM resource names)
	}
	for _, suf := range fileSuffixes {
		if strings.HasSuffix(lv, suf) {
			return 0, false
		}
	}
	if strings.Contains(normalizeWord(v), last) {
		return 0, false // password = "password123": a stand-in
	}
	h := Entropy(v)
	if h < 2.0 {
		return 0, false
	}
	classes := charClasses(v)
	switch {
	case len(v) >= 16 && h >= 3.5 && classes >= 2:
		return High, true
	case len(v) >= 8 && classes >= 2 && h >= 2.5:
		return Medium, true
	}
	return Low, true
}

// xmlPropertyValue reads the value of a Hadoop-style property whose
// <name> ends at b: <name>NAME</name> <value>VALUE</value>.
func xmlPropertyValue(text []byte, b int) (start, end int, ok bool) {
	if !hasPrefixAt(text, b, "</name>") {
		return 0, 0, false
	}
	i := b + len("</name>")
	for j := 0; i < len(text) && j < 256 && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n'); i, j = i+1, j+1 {
	}
	if !hasPrefixAt(text, i, "<value>") {
		return 0, 0, false
	}
	start = i + len("<value>")
	stop := min(len(text), start+maxLine)
	j := bytes.Index(text[start:stop], []byte("</value>"))
	if j < 0 {
		return 0, 0, false
	}
	v := bytes.TrimSpace(text[start : start+j])
	if len(v) == 0 || bytes.ContainsAny(v, "\n<") {
		return 0, 0, false
	}
	start += bytes.Index(text[start:start+j], v)
	return start, start + len(v), true
}

// hclVariableDefault reads the default of a Terraform variable whose
// quoted name is text[a:b]: variable "db_password" { default = "..." }.
func hclVariableDefault(text []byte, a, b int) (start, end int, ok bool) {
	if a < 1 || b >= len(text) || text[a-1] != '"' || text[b] != '"' {
		return 0, 0, false
	}
	if !bytes.HasSuffix(bytes.TrimRight(text[lineStart(text, a-1):a-1], " \t"), []byte("variable")) {
		return 0, 0, false
	}
	i := skipSpaces(text, b+1)
	if i >= len(text) || text[i] != '{' {
		return 0, 0, false
	}
	depth, stop := 0, min(len(text), i+2048)
	for ; i < stop; i++ {
		switch text[i] {
		case '{':
			depth++
		case '}':
			if depth--; depth == 0 {
				return 0, 0, false
			}
		case 'd':
			if depth != 1 || !hasPrefixAt(text, i, "default") || i > 0 && isWordByte(text[i-1]) {
				continue
			}
			j := skipSpaces(text, i+len("default"))
			if j >= len(text) || text[j] != '=' {
				continue
			}
			j = skipSpaces(text, j+1)
			if j < len(text) && text[j] == '"' {
				return quotedValue(text, j)
			}
			return 0, 0, false
		}
	}
	return 0, 0, false
}

// literalHolds reports whether the name at text[a:b] and the value at
// text[start:end] belong together lexically: a name inside a string
// literal (a prompt, a message) names nothing unless the same literal
// holds the value too, or the literal is the name itself. Strings nest
// (code in a test table's string), so the check is repeated inside the
// literal that holds both.
func literalHolds(text []byte, a, b, start, end int) bool {
	ls, le := lineStart(text, a), lineEnd(text, a)
	for range 3 {
		open, close, in := stringAround(text, ls, le, a)
		if !in || open == a-1 && close == b {
			return true
		}
		if start <= open || end > close {
			return false
		}
		ls, le = open+1, close
	}
	return true
}

// stringAround reports whether offset i lies inside a string literal that
// opens and closes within text[ls:le], and where its quotes are. It is a
// lexical guess, not a parser: quotes are ", ' and `, a backslash escapes,
// and an apostrophe between two letters (don't) is not a quote unless it
// follows a one-letter string prefix (f'...', r'...').
func stringAround(text []byte, ls, le, i int) (open, close int, in bool) {
	q, qpos := byte(0), -1
	for j := ls; j < le; j++ {
		c := text[j]
		switch {
		case q != 0 && c == '\\':
			j++
		case q != 0 && c == q:
			if qpos < i && i < j {
				return qpos, j, true
			}
			q = 0
		case q == 0 && (c == '"' || c == '`' || c == '\'' && !apostrophe(text, j, ls, le)):
			if j > i {
				return 0, 0, false
			}
			// Only a string that closes on the line counts.
			if k := closingQuote(text, j, le); k < 0 {
				continue
			}
			q, qpos = c, j
		}
	}
	return 0, 0, false
}

func closingQuote(text []byte, j, le int) int {
	for k := j + 1; k < le; k++ {
		switch text[k] {
		case '\\':
			k++
		case text[j]:
			return k
		}
	}
	return -1
}

func apostrophe(text []byte, j, ls, le int) bool {
	letter := func(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
	if j == ls || j+1 >= le || !letter(text[j-1]) || !letter(text[j+1]) {
		return false
	}
	prefix := j-1 == ls || !isWordByte(text[j-2])
	return !(prefix && strings.IndexByte("fFrRbBuU", text[j-1]) >= 0)
}
