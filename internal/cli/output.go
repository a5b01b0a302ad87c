package cli

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/spf13/cobra"
	"sigs.k8s.io/yaml"
)

// Output formats accepted by -o/--output.
const (
	outputText = "text"
	outputJSON = "json"
	outputYAML = "yaml"
)

func addOutputFlag(cmd *cobra.Command, dst *string) {
	cmd.Flags().StringVarP(dst, "output", "o", outputText, "output format: text, json or yaml")
}

// printOutput writes v as JSON or YAML, or text() for the text format.
func printOutput(w io.Writer, format string, v any, text func() string) error {
	switch format {
	case outputText, "":
		_, err := io.WriteString(w, text())
		return err
	case outputJSON:
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	case outputYAML:
		b, err := yaml.Marshal(v)
		if err != nil {
			return fmt.Errorf("encoding YAML: %w", err)
		}
		_, err = w.Write(b)
		return err
	default:
		return fmt.Errorf("unknown output format %q: use text, json or yaml", format)
	}
}
