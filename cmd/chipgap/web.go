package main

import (
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"chipgap/web"
)

const webUsage = `
Usage: chipgap web [--addr host:port] [--timeout 15s]

Serve the chipgap page and its JSON API (see docs/api.md) until
interrupted. The default address is loopback only: the server has no
authentication, so bind other interfaces only on a trusted network.
`

// cmdWeb is "chipgap web".
func cmdWeb(e *env, args []string) error {
	fs := newFlags(e, "web", webUsage)
	addr := fs.String("addr", web.DefaultAddr, "`host:port` to listen on (port 0 picks a free port)")
	timeout := fs.Duration("timeout", web.DefaultLimits().Timeout, "longest a synchronous API request may run")
	quiet := fs.Bool("quiet", false, "log only errors")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q", pos[0])
	}
	if *timeout <= 0 {
		return usagef("--timeout %v: want a positive duration", *timeout)
	}
	level := slog.LevelInfo
	if *quiet {
		level = slog.LevelError
	}
	limits := web.DefaultLimits()
	limits.Timeout = *timeout
	srv := &web.Server{
		Addr:   *addr,
		Logger: slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: level})),
		Limits: limits,
	}
	ln, err := srv.Listen()
	if err != nil {
		return fmt.Errorf("listen on %s: %w", *addr, err)
	}
	fmt.Fprintf(e.stdout, "chipgap web: serving on http://%s/ (Ctrl-C to stop)\n", ln.Addr())
	ctx, stop := signal.NotifyContext(e.ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	return srv.Serve(ctx, ln)
}
