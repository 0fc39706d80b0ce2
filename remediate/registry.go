package remediate

import (
	"github.com/rolecall/rolecall/detectors"
	"github.com/rolecall/rolecall/remediate/config"
	"github.com/rolecall/rolecall/remediate/edit"
	"github.com/rolecall/rolecall/remediate/jvm"
	"github.com/rolecall/rolecall/remediate/python"
)

// DefaultRegistry wires the language rewriters rolecall ships.
func DefaultRegistry() Registry {
	return Registry{
		ForPath: func(path string, lang detectors.Lang) (edit.Rewriter, func([]byte) error) {
			switch lang {
			case detectors.LangPython: // .py files, jupytext scripts included
				return python.Rewrite, python.Validate
			case detectors.LangScala, detectors.LangJava:
				return jvm.Rewrite, jvm.Validate
			}
			rw, kind := config.For(path)
			if rw == nil {
				return nil, nil
			}
			return rw, config.Validator(kind)
		},
		ForLang: rewriterForLang,
	}
}

// rewriterForLang returns the rewriter for code in a notebook language (the
// ipynb.Segment Lang vocabulary), or nil.
func rewriterForLang(lang string) (edit.Rewriter, func([]byte) error) {
	switch lang {
	case "python":
		return python.Rewrite, python.Validate
	case "r":
		return config.R, config.Validator(config.KindR)
	case "shell":
		return config.Shell, config.Validator(config.KindShell)
	case "scala", "java":
		return jvm.Rewrite, jvm.Validate
	}
	return nil, nil
}
