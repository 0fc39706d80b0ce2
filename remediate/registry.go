package remediate

import (
	"github.com/rolecall/rolecall/detectors"
	"github.com/rolecall/rolecall/remediate/edit"
)

// DefaultRegistry wires the language rewriters rolecall ships.
func DefaultRegistry() Registry {
	return Registry{
		ForPath: func(path string, lang detectors.Lang) (edit.Rewriter, func([]byte) error) { return nil, nil },
	}
}
