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

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

	"github.com/salesseat/terraform-provider-salesseat/internal/provider"
	"github.com/salesseat/terraform-provider-salesseat/internal/sandbox"
)

// version is set by goreleaser at build time (-X main.version=...).
var version = "dev"

func main() {
	if len(os.Args) > 1 && os.Args[1] == "sandbox" {
		os.Exit(runSandbox(os.Args[2:]))
	}

	setFrameworkLogLevel()

	var debug bool
	flag.BoolVar(&debug, "debug", false, "set to true to run the provider with support for debuggers like delve")
	flag.Parse()

	var opts []tf6server.ServeOpt
	if debug {
		opts = append(opts, tf6server.WithManagedDebug())
	}
	server := provider.NewProtocol6Server(version)
	err := tf6server.Serve("registry.terraform.io/salesseat/salesseat", func() tfprotov6.ProviderServer {
		s, err := server()
		if err != nil {
			log.Fatal(err.Error())
		}
		return s
	}, opts...)
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

// frameworkLogLevelEnv is the environment variable that sets the log level
// of terraform-plugin-framework's own logs.
const frameworkLogLevelEnv = "TF_LOG_SDK_FRAMEWORK"

// setFrameworkLogLevel gives the framework's log subsystem the level that
// applies anyway (TF_LOG_SDK, TF_LOG_PROVIDER or TF_LOG; off when none is
// set) unless TF_LOG_SDK_FRAMEWORK says otherwise.
//
// Left unset, the subsystem has no level, and terraform-plugin-log then
// treats every trace line as one that would be written. The framework writes
// one for each value of a resource while it nullifies write-only attributes
// (on every plan, read, create and update), and it grows the context by one
// layer per value as it goes (terraform-plugin-framework v1.19.0,
// internal/fwserver/write_only_nullification.go), so each of those lines
// walks a context as deep as the values seen so far: the cost is quadratic in
// the size of the resource. For a roster of 1,000 members that was about 7 s
// of CPU per plan, all of it for log lines that the sink then drops. With a
// level set, lines below it are dropped before the context is looked at.
func setFrameworkLogLevel() {
	if os.Getenv(frameworkLogLevelEnv) != "" {
		return
	}
	level := "off"
	for _, env := range []string{"TF_LOG_SDK", "TF_LOG_PROVIDER", "TF_LOG"} {
		if v := os.Getenv(env); v != "" {
			level = v
			break
		}
	}
	_ = os.Setenv(frameworkLogLevelEnv, level)
}
