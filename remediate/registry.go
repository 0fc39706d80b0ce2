package remediate

import (
	"github.com/rolecall/rolecall/detectors"
	"github.com/rolecall/rolecall/remediate/config"
	"github.com/rolecall/rolecall/remediate/edit"
	"github.com/rolecall/rolecall/remediate/python"
)

// DefaultRegistry wires the language rewriters rolecall ships.
func DefaultRegistry() Registry {
	return Registry{
		ForPath: func(path string, lang detectors.Lang) (edit.Rewriter, func([]byte) error) {
			if lang == detectors.LangPython { // .py files, jupytext scripts included
				return python.Rewrite, python.Validate
			}
			rw, kind := config.For(path)
			if rw == nil {
				return nil, nil
			}
			return rw, config.Validator(kind)
		},
		Python:         python.Rewrite,
		ValidatePython: python.Validate,
		Shell:          config.ByKind(config.KindShell),
		ValidateShell:  config.Validator(config.KindShell),
	}
}
