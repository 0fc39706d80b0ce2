package python

import (
	"regexp"
	"strings"
)

// profileMode is how an API is pointed at a named profile.
type profileMode int

const (
	profNone     profileMode = iota
	profSession              // boto3.client(...) -> boto3.Session(profile_name=P).client(...)
	profKeyword              // a keyword argument: Session(profile_name=P), S3FileSystem(profile=P)
	profDict                 // an entry of a dict argument: storage_options={"profile": P}
	profReceiver             // session.client(...): the session's own profile decides
)

// api is a call rolecall knows how to take credentials out of.
type api struct {
	label string // what reasons and shapes call it
	shape string
	// kwargs are the keyword arguments that carry a credential.
	kwargs map[string]bool
	// dicts maps a keyword argument whose value is a dict to the entries
	// of that dict that carry a credential.
	dicts map[string]map[string]bool
	// nested maps an entry of such a dict whose value is itself a dict
	// (storage_options={"client_kwargs": {...}}) to its credential entries.
	nested  map[string]map[string]bool
	profile profileMode
	// profileKey is the keyword (profKeyword) or dict entry (profDict)
	// that names the profile; profileArg is the keyword argument holding
	// that dict.
	profileKey, profileArg string
}

var (
	botoKwargs = map[string]bool{"aws_access_key_id": true, "aws_secret_access_key": true, "aws_session_token": true}
	fsKwargs   = map[string]bool{"key": true, "secret": true, "token": true}
)

func botoClient(label string) *api {
	return &api{label: label, shape: label + " keyword arguments", kwargs: botoKwargs, profile: profSession}
}

func botoSession(label string) *api {
	return &api{label: label, shape: label + " keyword arguments", kwargs: botoKwargs, profile: profKeyword, profileKey: "profile_name"}
}

func s3fsLike(label string) *api {
	return &api{
		label: label, shape: label + " keyword arguments", kwargs: fsKwargs,
		dicts:   map[string]map[string]bool{"client_kwargs": botoKwargs},
		profile: profKeyword, profileKey: "profile",
	}
}

func storageOptions(label string) *api {
	return &api{
		label: label, shape: "storage_options entries",
		dicts:   map[string]map[string]bool{"storage_options": fsKwargs},
		nested:  map[string]map[string]bool{"client_kwargs": botoKwargs},
		profile: profDict, profileKey: "profile", profileArg: "storage_options",
	}
}

// apiFor returns the API a call is to, or nil. resolved is the callee's
// dotted name through the imports ("" when it is not a dotted name).
func (p *prog) apiFor(c callee, resolved string, g *group) *api {
	switch resolved {
	case "boto3.client", "boto3.resource":
		return botoClient(resolved)
	case "boto3.Session", "boto3.session.Session", "aioboto3.Session":
		return botoSession("boto3.Session")
	case "boto3.setup_default_session":
		return botoSession(resolved)
	case "s3fs.S3FileSystem", "s3fs.core.S3FileSystem":
		return s3fsLike("s3fs.S3FileSystem")
	case "fsspec.filesystem", "fsspec.open", "fsspec.open_files", "fsspec.get_mapper", "fsspec.url_to_fs", "fsspec.core.url_to_fs":
		// Their keyword arguments go to S3FileSystem.
		return s3fsLike(resolved)
	}
	switch {
	case (strings.HasPrefix(c.final, "read_") || strings.HasPrefix(c.final, "to_")) && g.find("storage_options") >= 0:
		// pandas, dask and friends hand storage_options to fsspec.
		return storageOptions(c.final)
	case (c.final == "client" || c.final == "resource" || c.final == "create_client") && c.recv >= 0:
		// A session's client: the aws_* keywords are botocore's own, so
		// the call is one whatever the receiver's name.
		return &api{label: "session " + c.final, shape: "boto3 session " + c.final + " keyword arguments", kwargs: botoKwargs, profile: profReceiver}
	}
	return nil
}

// s3aKey matches a Hadoop S3A credential property, as set on a Hadoop
// configuration or, with the spark.hadoop. prefix, on Spark's.
var s3aKey = regexp.MustCompile(`^(spark\.hadoop\.)?fs\.s3a\.(bucket\..+\.)?(access\.key|secret\.key|session\.token)$`)

// s3aProvider matches the property that names the credential provider.
var s3aProvider = regexp.MustCompile(`^(?:spark\.hadoop\.)?fs\.s3a\.(bucket\..+\.)?aws\.credentials\.provider$`)

// sparkMethods set a configuration property.
var sparkMethods = map[string]bool{"set": true, "config": true, "setIfMissing": true}

// pyString returns s as a Python string literal with quote q.
func pyString(s string, q byte) string {
	var sb strings.Builder
	sb.WriteByte(q)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\', q:
			sb.WriteByte('\\')
			sb.WriteByte(c)
		case '\n':
			sb.WriteString(`\n`)
		case '\r':
			sb.WriteString(`\r`)
		default:
			sb.WriteByte(c)
		}
	}
	sb.WriteByte(q)
	return sb.String()
}
