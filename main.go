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
	"runtime/debug"
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

	setSDKLogLevels()
	tuneGC()

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

// sdkLogLevelEnvs are the environment variables that set the log levels of
// the SDK's own log subsystems: terraform-plugin-framework's, and
// terraform-plugin-go's protocol trace (one line per RPC, with its request).
var sdkLogLevelEnvs = []string{"TF_LOG_SDK_FRAMEWORK", "TF_LOG_SDK_PROTO"}

// setSDKLogLevels gives each SDK log subsystem the level that applies anyway
// (TF_LOG_SDK, TF_LOG_PROVIDER or TF_LOG; off when none is set) unless its
// own variable says otherwise.
//
// Left unset, a subsystem has no level, and terraform-plugin-log then
// treats every trace line as one that would be written. The framework writes
// one for each value of a resource while it nullifies write-only attributes
// (on every plan, read, create and update), and it grows the context by one
// layer per value as it goes (terraform-plugin-framework v1.19.0,
// internal/fwserver/write_only_nullification.go), so each of those lines
// walks a context as deep as the values seen so far: the cost is quadratic in
// the size of the resource. For a roster of 1,000 members that was about 7 s
// of CPU per plan, all of it for log lines that the sink then drops. The
// protocol trace encodes a JSON line per RPC: 0.3 s of CPU in a no-op plan of
// 1,000 salesseat_sales_user (pprof). With a level set, lines below it are
// dropped before they are built.
func setSDKLogLevels() {
	level := "off"
	for _, env := range []string{"TF_LOG_SDK", "TF_LOG_PROVIDER", "TF_LOG"} {
		if v := os.Getenv(env); v != "" {
			level = v
			break
		}
	}
	for _, env := range sdkLogLevelEnvs {
		if os.Getenv(env) == "" {
			_ = os.Setenv(env, level)
		}
	}
}

// tuneGC trades memory for CPU in the provider process, unless GOGC or
// GOMEMLIMIT say otherwise. A plan sends the provider one small request per
// resource instance and keeps little alive between them, so with Go's
// default (a collection each time the heap doubles) the garbage collector
// took a third of the provider's CPU in a no-op plan of 1,000
// salesseat_sales_user (pprof). Collecting at five times the live heap, and
// in any case before the heap reaches 384 MiB, keeps the process well under
// the 500 MB the scale targets allow.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(384 << 20)
	}
}
