// Command terraform-provider-salesseat is the salesseat Terraform provider. Run by Terraform, it
// serves the provider over the plugin protocol; run as `terraform-provider-salesseat sandbox`, it
// serves the sandbox org (the provisioning API and a simulated Salesforce org) for tests and
// demos.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"syscall"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/salesseat/terraform-provider-salesseat/internal/provider"
	"github.com/salesseat/terraform-provider-salesseat/internal/sandbox"
)

// version is set by goreleaser at build time (-X main.version=...).
var version = "dev"

func main() {
	if len(os.Args) > 1 && os.Args[1] == "sandbox" {
		os.Exit(runSandbox(os.Args[2:]))
	}

	var debug bool
	flag.BoolVar(&debug, "debug", false, "set to true to run the provider with support for debuggers like delve")
	flag.Parse()

	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address: "registry.terraform.io/salesseat/salesseat",
		Debug:   debug,
	})
	if err != nil {
		log.Fatal(err.Error())
	}
}

// runSandbox runs the sandbox subcommand until SIGINT or SIGTERM and returns the exit code.
func runSandbox(args []string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := sandbox.Run(ctx, args, os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "Error: %v\n", err)
		return 1
	}
	return 0
}
