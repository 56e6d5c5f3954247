package provider

import (
	"context"
	"fmt"
	"io"
	"log"
	"strings"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/salesseat/terraform-provider-salesseat/internal/client"
)

// clientSubsystem is the tflog subsystem the API client logs to, so its
// output can be filtered with TF_LOG_PROVIDER_SALESSEAT_CLIENT.
const clientSubsystem = "client"

// sensitiveLogKeys are field names whose values are masked in every log line
// of the client subsystem, whatever the client puts in them: the client's own
// list of secret names, so the two never drift apart.
var sensitiveLogKeys = client.SensitiveKeys()

// newClientLogContext prepares ctx for the API client's logger: a tflog
// subsystem whose field values named in sensitiveLogKeys, and every literal
// occurrence of the given secrets, are masked.
func newClientLogContext(ctx context.Context, secrets ...string) context.Context {
	ctx = tflog.NewSubsystem(ctx, clientSubsystem)
	ctx = tflog.SubsystemMaskFieldValuesWithFieldKeys(ctx, clientSubsystem, sensitiveLogKeys...)
	ctx = tflog.MaskFieldValuesWithFieldKeys(ctx, sensitiveLogKeys...)
	var nonEmpty []string
	for _, s := range secrets {
		if s != "" {
			nonEmpty = append(nonEmpty, s)
		}
	}
	if len(nonEmpty) > 0 {
		ctx = tflog.SubsystemMaskLogStrings(ctx, clientSubsystem, nonEmpty...)
		ctx = tflog.MaskLogStrings(ctx, nonEmpty...)
	}
	return ctx
}

// tflogAdapter is an hclog.Logger that writes to a tflog subsystem, so the
// client package (which knows nothing about Terraform) logs through
// Terraform's logging with the provider's masking rules.
//
// The context is the one the provider was configured with: hclog has no
// per-call context, and the logging configuration tflog keeps in that context
// (sink, level, masks) stays valid after the Configure call returns.
type tflogAdapter struct {
	ctx     context.Context
	name    string
	implied []any
}

var _ hclog.Logger = (*tflogAdapter)(nil)

// newTFLogAdapter returns an hclog.Logger writing to the client subsystem of
// ctx, which must come from newClientLogContext.
func newTFLogAdapter(ctx context.Context) hclog.Logger {
	return &tflogAdapter{ctx: ctx}
}

// Log writes msg at the given level.
func (l *tflogAdapter) Log(level hclog.Level, msg string, args ...any) {
	fields := l.fields(args)
	switch level {
	case hclog.Trace:
		tflog.SubsystemTrace(l.ctx, clientSubsystem, msg, fields)
	case hclog.Debug, hclog.NoLevel:
		tflog.SubsystemDebug(l.ctx, clientSubsystem, msg, fields)
	case hclog.Info:
		tflog.SubsystemInfo(l.ctx, clientSubsystem, msg, fields)
	case hclog.Warn:
		tflog.SubsystemWarn(l.ctx, clientSubsystem, msg, fields)
	case hclog.Error:
		tflog.SubsystemError(l.ctx, clientSubsystem, msg, fields)
	case hclog.Off:
	}
}

// fields turns hclog's alternating key/value arguments, after the implied
// ones, into a tflog field map. A trailing key without a value is kept
// under the key "EXTRA_VALUE_AT_END", as hclog does.
func (l *tflogAdapter) fields(args []any) map[string]any {
	all := append(append([]any{}, l.implied...), args...)
	if len(all) == 0 && l.name == "" {
		return nil
	}
	out := make(map[string]any, len(all)/2+1)
	if l.name != "" {
		out["logger"] = l.name
	}
	for i := 0; i < len(all); i += 2 {
		if i+1 >= len(all) {
			out["EXTRA_VALUE_AT_END"] = all[i]
			break
		}
		key, ok := all[i].(string)
		if !ok {
			key = fmt.Sprint(all[i])
		}
		out[key] = all[i+1]
	}
	return out
}

// Trace writes msg at trace level.
func (l *tflogAdapter) Trace(msg string, args ...any) { l.Log(hclog.Trace, msg, args...) }

// Debug writes msg at debug level.
func (l *tflogAdapter) Debug(msg string, args ...any) { l.Log(hclog.Debug, msg, args...) }

// Info writes msg at info level.
func (l *tflogAdapter) Info(msg string, args ...any) { l.Log(hclog.Info, msg, args...) }

// Warn writes msg at warn level.
func (l *tflogAdapter) Warn(msg string, args ...any) { l.Log(hclog.Warn, msg, args...) }

// Error writes msg at error level.
func (l *tflogAdapter) Error(msg string, args ...any) { l.Log(hclog.Error, msg, args...) }

// IsTrace reports whether trace logs are written (TF_LOG, or
// TF_LOG_PROVIDER_SALESSEAT_CLIENT for this subsystem), so the client can
// skip building request dumps nobody reads.
func (l *tflogAdapter) IsTrace() bool { return tflog.SubsystemIsTrace(l.ctx, clientSubsystem) }

// IsDebug reports whether debug logs are written.
func (l *tflogAdapter) IsDebug() bool { return tflog.SubsystemIsDebug(l.ctx, clientSubsystem) }

// IsInfo reports whether info logs are written.
func (l *tflogAdapter) IsInfo() bool { return tflog.SubsystemIsInfo(l.ctx, clientSubsystem) }

// IsWarn reports whether warn logs are written.
func (l *tflogAdapter) IsWarn() bool { return tflog.SubsystemIsWarn(l.ctx, clientSubsystem) }

// IsError reports whether error logs are written.
func (l *tflogAdapter) IsError() bool { return tflog.SubsystemIsError(l.ctx, clientSubsystem) }

// ImpliedArgs returns the key/value pairs added with With.
func (l *tflogAdapter) ImpliedArgs() []any { return l.implied }

// With returns a logger that adds args to every line.
func (l *tflogAdapter) With(args ...any) hclog.Logger {
	return &tflogAdapter{ctx: l.ctx, name: l.name, implied: append(append([]any{}, l.implied...), args...)}
}

// Name returns the logger's name.
func (l *tflogAdapter) Name() string { return l.name }

// Named returns a logger whose name has name appended.
func (l *tflogAdapter) Named(name string) hclog.Logger {
	n := name
	if l.name != "" {
		n = l.name + "." + name
	}
	return &tflogAdapter{ctx: l.ctx, name: n, implied: l.implied}
}

// ResetNamed returns a logger with exactly the given name.
func (l *tflogAdapter) ResetNamed(name string) hclog.Logger {
	return &tflogAdapter{ctx: l.ctx, name: name, implied: l.implied}
}

// SetLevel does nothing: the level is set through TF_LOG and
// TF_LOG_PROVIDER_SALESSEAT_CLIENT.
func (l *tflogAdapter) SetLevel(hclog.Level) {}

// GetLevel returns the most verbose level tflog writes for the subsystem.
func (l *tflogAdapter) GetLevel() hclog.Level {
	switch {
	case l.IsTrace():
		return hclog.Trace
	case l.IsDebug():
		return hclog.Debug
	case l.IsInfo():
		return hclog.Info
	case l.IsWarn():
		return hclog.Warn
	case l.IsError():
		return hclog.Error
	}
	return hclog.Off
}

// StandardLogger returns a standard library logger that writes at debug level.
func (l *tflogAdapter) StandardLogger(opts *hclog.StandardLoggerOptions) *log.Logger {
	return log.New(l.StandardWriter(opts), "", 0)
}

// StandardWriter returns a writer whose lines are logged at debug level, or at
// opts.ForceLevel when set.
func (l *tflogAdapter) StandardWriter(opts *hclog.StandardLoggerOptions) io.Writer {
	level := hclog.Debug
	if opts != nil && opts.ForceLevel != hclog.NoLevel {
		level = opts.ForceLevel
	}
	return &adapterWriter{l: l, level: level}
}

type adapterWriter struct {
	l     *tflogAdapter
	level hclog.Level
}

func (w *adapterWriter) Write(p []byte) (int, error) {
	w.l.Log(w.level, strings.TrimRight(string(p), "\r\n"))
	return len(p), nil
}
