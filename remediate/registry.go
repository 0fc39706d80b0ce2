package remediate

import (
	"github.com/rolecall/rolecall/detectors"
	"github.com/rolecall/rolecall/remediate/config"
	"github.com/rolecall/rolecall/remediate/edit"
)

// DefaultRegistry wires the language rewriters rolecall ships.
func DefaultRegistry() Registry {
	return Registry{
		ForPath: func(path string, lang detectors.Lang) (edit.Rewriter, func([]byte) error) {
			rw, kind := config.For(path)
			if rw == nil {
				return nil, nil
			}
			return rw, config.Validator(kind)
		},
		Shell:         config.ByKind(config.KindShell),
		ValidateShell: config.Validator(config.KindShell),
	}
}
