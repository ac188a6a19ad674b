// Command providerschema prints the provider's schema as
// `terraform providers schema -json` would, for tfplugindocs'
// --providers-schema (see scripts/docs.sh).
package main

import (
	"context"
	"flag"
	"log"
	"os"

	"github.com/stratos-sh/terraform-provider-stratos/internal/provider"
)

func main() {
	name := flag.String("name", "stratos", "key of the provider in provider_schemas")
	out := flag.String("o", "", "output file (default stdout)")
	flag.Parse()
	data, err := provider.ProviderSchemaJSON(context.Background(), *name)
	if err != nil {
		log.Fatal(err)
	}
	if *out == "" {
		_, err = os.Stdout.Write(data)
	} else {
		err = os.WriteFile(*out, data, 0o644)
	}
	if err != nil {
		log.Fatal(err)
	}
}
