package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
)

func newRulesCmd(a *app) *cobra.Command {
	var asJSON bool
	var config string
	cmd := &cobra.Command{
		Use:   "rules",
		Short: "List the detection rules: id, severity, description, keywords",
		Long: `List the active detection rules (the built-in set, overlaid with --config or
./.rolecall.toml). Rule ids are what disabledRules, targetRules and
--baseline reports refer to.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			a.config = config
			eng, err := a.engine(".")
			if err != nil {
				return err
			}
			if asJSON {
				type rule struct {
					ID          string   `json:"id"`
					Description string   `json:"description"`
					Severity    string   `json:"severity"`
					Keywords    []string `json:"keywords"`
					Tags        []string `json:"tags,omitempty"`
				}
				var out []rule
				for _, r := range eng.Rules() {
					out = append(out, rule{r.ID, r.Description, r.Severity.String(), r.Keywords, r.Tags})
				}
				enc := json.NewEncoder(a.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(out)
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tSEVERITY\tDESCRIPTION\tKEYWORDS")
			for _, r := range eng.Rules() {
				kw := strings.Join(r.Keywords, ", ")
				if kw == "" {
					kw = "(runs on every file)"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.ID, r.Severity, r.Description, kw)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the rules as JSON")
	cmd.Flags().StringVarP(&config, "config", "c", "", "rules and allowlists `FILE` (default: ./.rolecall.toml, if present)")
	return cmd
}

func newVersionCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			_, err := fmt.Fprintf(a.stdout, "rolecall %s\n", versionString())
			return err
		},
	}
}
