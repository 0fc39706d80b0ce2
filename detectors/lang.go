package detectors

import (
	"path"
	"strings"
)

// Lang says how to read a fragment: in code a credential is a quoted literal,
// while in configuration files an unquoted value after `key=` or `key:` is one.
type Lang string

const (
	LangText       Lang = "text"
	LangPython     Lang = "python"
	LangR          Lang = "r"
	LangScala      Lang = "scala"
	LangSQL        Lang = "sql"
	LangShell      Lang = "shell"
	LangJavaScript Lang = "javascript"
	LangGo         Lang = "go"
	LangJava       Lang = "java"
	LangHCL        Lang = "hcl"
	LangYAML       Lang = "yaml"
	LangTOML       Lang = "toml"
	LangINI        Lang = "ini"
	LangEnv        Lang = "env"
	LangProperties Lang = "properties"
	LangXML        Lang = "xml"
	LangJSON       Lang = "json"
	LangDockerfile Lang = "dockerfile"
	LangNetrc      Lang = "netrc"
	LangMarkdown   Lang = "markdown"
)

// unquotedValues reports whether an unquoted `key=value` or `key: value`
// holds a literal value in this language (in Python it would name a variable).
func (l Lang) unquotedValues() bool {
	switch l {
	case LangYAML, LangINI, LangEnv, LangProperties, LangShell, LangNetrc, LangText:
		return true
	}
	return false
}

var extLangs = map[string]Lang{
	".py": LangPython, ".pyw": LangPython, ".ipy": LangPython, ".pyi": LangPython,
	".r": LangR, ".scala": LangScala, ".sc": LangScala, ".sql": LangSQL,
	".sh": LangShell, ".bash": LangShell, ".zsh": LangShell, ".ksh": LangShell,
	".envrc": LangShell, ".js": LangJavaScript, ".mjs": LangJavaScript,
	".cjs": LangJavaScript, ".jsx": LangJavaScript, ".ts": LangJavaScript,
	".tsx": LangJavaScript, ".go": LangGo, ".java": LangJava, ".kt": LangJava,
	".tf": LangHCL, ".tfvars": LangHCL, ".hcl": LangHCL, ".yml": LangYAML,
	".yaml": LangYAML, ".toml": LangTOML, ".ini": LangINI, ".cfg": LangINI,
	".conf": LangINI, ".env": LangEnv, ".properties": LangProperties,
	".xml": LangXML, ".json": LangJSON, ".ipynb": LangJSON, ".zpln": LangJSON,
	".dockerfile": LangDockerfile, ".md": LangMarkdown, ".rmd": LangMarkdown,
	".qmd": LangMarkdown,
}

// LangForPath guesses a file's language from its slash-separated path.
func LangForPath(p string) Lang {
	base := path.Base(p)
	lower := strings.ToLower(base)
	dir := path.Base(path.Dir(p))
	switch {
	case lower == "dockerfile" || strings.HasPrefix(lower, "dockerfile.") || lower == "containerfile":
		return LangDockerfile
	case lower == ".netrc" || lower == "_netrc" || lower == "netrc":
		return LangNetrc
	case lower == "spark-defaults.conf":
		return LangProperties
	case dir == ".aws" && (lower == "credentials" || lower == "config"):
		return LangINI
	case lower == ".env" || strings.HasPrefix(lower, ".env.") || lower == "_environment" ||
		strings.HasPrefix(lower, "_environment."):
		return LangEnv
	case lower == ".bashrc" || lower == ".zshrc" || lower == ".profile" || lower == ".bash_profile":
		return LangShell
	}
	if l, ok := extLangs[path.Ext(lower)]; ok {
		return l
	}
	return LangText
}
