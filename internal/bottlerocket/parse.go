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
			detail = fmt.Sprintf("%s is not valid TOML: line %d, column %d: %s\n\n%s\n\n%s",
				src, row, col, de.Error(), de.String(), parseHint(de.Error()))
		} else {
			detail = fmt.Sprintf("%s is not valid TOML: %s", src, detail)
		}
		p := errorProblem(src, nil, "Invalid TOML in "+src.String(), detail)
		return nil, &p
	}
	return tree, nil
}

// parseHint explains the two ways user data usually goes wrong.
func parseHint(msg string) string {
	if strings.Contains(msg, "already exists") || strings.Contains(msg, "already defined") {
		return "A table such as [settings.kubernetes] or a key may appear only once in a TOML document; " +
			"put the extra settings under the existing header."
	}
	return "Bottlerocket user data is a TOML document: shell scripts and MIME multipart are not supported, " +
		"and keys containing dots or slashes must be quoted (\"example.com/role\" = \"web\")."
}
