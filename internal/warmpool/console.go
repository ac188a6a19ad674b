package warmpool

import "encoding/base64"

// decodeConsole decodes GetConsoleOutput's base64 text, as EC2 returns it.
func decodeConsole(output string) string {
	b, err := base64.StdEncoding.DecodeString(output)
	if err != nil {
		return output
	}
	return string(b)
}
