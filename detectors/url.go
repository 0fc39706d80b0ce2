package detectors

import (
	"bytes"
	"regexp"
	"strings"
)

// URL credentials: scheme://user:password@host. A password in a URL that
// only reaches a database on the developer's machine or a CI service
// container, or that is the image's default, is still reported, but low:
// it opens nothing anyone else can reach.

var urlCredentialRE = regexp.MustCompile(`\b[a-zA-Z][a-zA-Z0-9+.-]{1,20}://([^\s:@/'"<>{}]{0,128}):([^\s@/'"<>{}]{3,256})@([A-Za-z0-9._-]+)`)

// Hosts that are the developer's own machine, and the service names CI
// systems and compose files give database and broker containers.
var localHostNames = map[string]bool{
	"localhost": true, "host.docker.internal": true, "0.0.0.0": true,
	"postgres": true, "postgresql": true, "pg": true, "mysql": true, "mariadb": true,
	"redis": true, "mongo": true, "mongodb": true, "rabbitmq": true, "db": true,
	"database": true, "localstack": true, "minio": true, "elasticsearch": true,
	"opensearch": true, "kafka": true, "zookeeper": true, "memcached": true,
	"cassandra": true, "clickhouse": true, "mssql": true, "sqlserver": true,
	"oracle": true, "neo4j": true, "influxdb": true, "airflow-postgres": true,
}

// Passwords that images and tutorials ship with.
var defaultPasswords = map[string]bool{
	"postgres": true, "mysql": true, "root": true, "admin": true, "guest": true,
	"minioadmin": true, "minio123": true, "rabbitmq": true, "airflow": true,
	"secret": true, "pass": true, "dev": true, "development": true, "local": true,
	"docker": true, "oracle": true, "mongo": true, "redis": true, "elastic": true,
	"changeit": true, "sa": true, "neo4j": true, "clickhouse": true, "superset": true,
	"mlflow": true, "jupyter": true, "metabase": true, "trino": true,
}

// localDevURL reports whether a URL credential is a local development
// default: the user is the password, the host is this machine or a CI
// service container, or the password is an image default.
func localDevURL(user, password, host string) bool {
	h := strings.ToLower(host)
	return strings.EqualFold(user, password) || localHostNames[h] ||
		strings.HasPrefix(h, "127.") || strings.HasSuffix(h, ".localhost") ||
		defaultPasswords[strings.ToLower(password)]
}

func detectURLCredentials(s *scan, r *Rule) []Match {
	// "://" is on most lines of a notebook that links anywhere; only the
	// few hits followed by user:password@ are worth the regex.
	// A user's rule may give the detector other keywords: their hits
	// are kept as they are.
	var hits []int
	for _, h := range s.hitsOf(r) {
		if !bytes.HasPrefix(s.text[h:], []byte("://")) || mayHoldUserinfo(s.text[h:]) {
			hits = append(hits, h)
		}
	}
	var out []Match
	for _, w := range s.windows(r, hits) {
		chunk := s.text[w[0]:w[1]]
		for _, loc := range urlCredentialRE.FindAllSubmatchIndex(chunk, -1) {
			user, pass, host := chunk[loc[2]:loc[3]], chunk[loc[4]:loc[5]], chunk[loc[6]:loc[7]]
			m := Match{Rule: r, Start: w[0] + loc[4], End: w[0] + loc[5], Secret: string(pass)}
			if localDevURL(string(user), string(pass), string(host)) {
				m.Severity = Low
			}
			out = append(out, m)
		}
	}
	return out
}

// mayHoldUserinfo reports whether text, which starts with "://", could go
// on the way urlCredentialRE needs: a run without a terminator, a ':',
// another such run and an '@'. It is a superset check (its limits are in
// bytes, four per rune the regex counts), so the regex stays the judge.
func mayHoldUserinfo(text []byte) bool {
	i, end := 3, min(len(text), 3+4*128)
	for i < end && !urlStop(text[i]) && text[i] != ':' {
		i++
	}
	if i >= len(text) || text[i] != ':' {
		return false
	}
	i++
	start, end := i, min(len(text), i+4*256)
	for i < end && !urlStop(text[i]) {
		i++
	}
	return i-start >= 3 && i < len(text) && text[i] == '@'
}

// urlStop: the bytes urlCredentialRE's userinfo classes exclude (':' aside,
// which the password may hold).
func urlStop(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\f', '\r', '@', '/', '\'', '"', '<', '>', '{', '}':
		return true
	}
	return false
}
