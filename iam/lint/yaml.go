package lint

import (
	"go.yaml.in/yaml/v3"
)

// fromYAML converts a YAML document (CloudFormation, SAM). Intrinsic
// functions (!Sub, !Ref, !GetAtt, Fn::...) are not evaluated: a tagged
// scalar keeps its text, and other tagged values become kOther, so a check
// sees "unknown" rather than a wildcard.
func fromYAML(data []byte, base int) (*node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	return yamlNode(&doc, base, 0), nil
}

func yamlNode(y *yaml.Node, base, depth int) *node {
	n := &node{line: base + y.Line}
	if depth > 200 {
		return n
	}
	switch y.Kind {
	case yaml.DocumentNode:
		if len(y.Content) > 0 {
			return yamlNode(y.Content[0], base, depth+1)
		}
	case yaml.AliasNode:
		if y.Alias != nil {
			return yamlNode(y.Alias, base, depth+1)
		}
	case yaml.ScalarNode:
		switch y.Tag {
		case "!!str", "!Sub", "!Join":
			n.kind, n.s = kStr, y.Value
		case "!!int", "!!float", "!!bool", "!!null":
		default:
			n.kind, n.s = kStr, y.Value
			if y.Tag != "" && y.Tag[0] == '!' && y.Tag != "!Sub" {
				n.kind = kOther // !Ref, !GetAtt, !ImportValue: a value rolecall cannot know
			}
		}
	case yaml.SequenceNode:
		if y.Tag != "!!seq" && y.Tag != "" && y.Tag != "!Sub" {
			return n // !Join [...], !If [...]: unknown
		}
		n.kind = kList
		for _, c := range y.Content {
			n.vals = append(n.vals, yamlNode(c, base, depth+1))
		}
	case yaml.MappingNode:
		n.kind = kObj
		for i := 0; i+1 < len(y.Content); i += 2 {
			k := y.Content[i]
			if k.Value == "<<" {
				continue
			}
			if len(n.keys) == 0 && len(y.Content) == 2 && (k.Value == "Fn::Sub" || k.Value == "Ref" || k.Value == "Fn::GetAtt" || k.Value == "Fn::Join" || k.Value == "Fn::If" || k.Value == "Fn::ImportValue") {
				v := y.Content[i+1]
				if k.Value == "Fn::Sub" && v.Kind == yaml.ScalarNode {
					return &node{kind: kStr, s: v.Value, line: base + y.Line}
				}
				return n // unknown
			}
			n.keys = append(n.keys, k.Value)
			n.vals = append(n.vals, yamlNode(y.Content[i+1], base, depth+1))
		}
	}
	return n
}
