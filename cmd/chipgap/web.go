package main

import (
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"chipgap/web"
)

const webUsage = `
Usage: chipgap web [--addr host:port] [--timeout 15s] [--allow-host NAME]

Serve the chipgap page and its JSON API (see docs/api.md) until
interrupted. The default address is loopback only: the server has no
authentication, so bind other interfaces only on a trusted network.

Requests must name the server in their Host header (an IP address,
localhost, the host of --addr, or a name given with --allow-host), so a
web page cannot reach it through DNS rebinding; POST bodies must be
Content-Type: application/json (at most 1 MiB), so a page cannot start
work with a form. docs/api.md, "Threat model", has the details.
`

// cmdWeb is "chipgap web".
func cmdWeb(e *env, args []string) error {
	fs := newFlags(e, "web", webUsage)
	addr := fs.String("addr", web.DefaultAddr, "`host:port` to listen on (port 0 picks a free port)")
	timeout := fs.Duration("timeout", web.DefaultLimits().Timeout, "longest a synchronous API request may run")
	quiet := fs.Bool("quiet", false, "log only errors")
	var allow []string
	fs.Var(listFunc(func(v string) error {
		for _, h := range strings.Split(v, ",") {
			if h = strings.TrimSpace(h); h == "" {
				return fmt.Errorf("want a host name")
			}
			allow = append(allow, h)
		}
		return nil
	}), "allow-host", "also answer requests whose Host header is `NAME` (comma-separated or repeated; * for any): for deliberate exposure under a DNS name")
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
	// A malformed address is bad input (exit 2); one that is well formed
	// but cannot be bound (a port in use, a host not on this machine) is
	// a failure to run (exit 1).
	if _, port, err := net.SplitHostPort(*addr); err != nil {
		return usagef("--addr %q: want host:port (%v)", *addr, err)
	} else if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		return usagef("--addr %q: want a port 0 to 65535", *addr)
	}
	level := slog.LevelInfo
	if *quiet {
		level = slog.LevelError
	}
	limits := web.DefaultLimits()
	limits.Timeout = *timeout
	srv := &web.Server{
		Addr:       *addr,
		Logger:     slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: level})),
		Limits:     limits,
		AllowHosts: allow,
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
