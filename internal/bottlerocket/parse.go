package bottlerocket

import (
	"errors"
	"fmt"
	"strings"

	"github.com/pelletier/go-toml/v2"
)

// parseFragment decodes one TOML fragment into a generic tree. go-toml/v2
// rejects what Bottlerocket's Rust parser rejects (duplicate keys and tables,
// a shell script, MIME), and reports the position, which we quote because
// the user otherwise only sees the failure on the instance console.
func parseFragment(text string, src source) (map[string]any, *Problem) {
	tree := map[string]any{}
	if strings.TrimSpace(text) == "" {
		return tree, nil
	}
	if err := toml.Unmarshal([]byte(text), &tree); err != nil {
		detail := err.Error()
		var de *toml.DecodeError
		if errors.As(err, &de) {
			row, col := de.Position()
			detail = fmt.Sprintf("%s is not valid TOML: line %d, column %d: %s\n\n%s\n\nBottlerocket user data must be a TOML document (no shell script, no MIME multipart); "+
				"a table such as [settings.kubernetes] may appear only once per fragment.",
				src, row, col, de.Error(), de.String())
		} else {
			detail = fmt.Sprintf("%s is not valid TOML: %s", src, detail)
		}
		p := errorProblem(src, nil, "Invalid TOML in "+src.String(), detail)
		return nil, &p
	}
	return tree, nil
}
