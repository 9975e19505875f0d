// Command preau is the Préau appliance: one binary for the school server and
// the city's central server.
package main

import (
	"os"

	"preau/appliance/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdout, os.Stderr))
}
