// Command shutdown is a service that closes its singletons in order when it is asked to
// stop. It serves HTTP until SIGINT or SIGTERM, stops serving, then calls
// lifecycle.Shutdown, which closes the repository before the pool it was built on; it
// logs every build, drop and close with log/slog, through lifecycle.Observe.
//
//	go run ./examples/shutdown        # serve until Ctrl-C
//	go run ./examples/shutdown -demo  # place three orders, then send itself SIGTERM
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/singletongen/singletongen/lifecycle"
	"github.com/singletongen/singletongen/lifecycle/examples/shutdown/orders"
)

func main() {
	demo := flag.Bool("demo", false, "place a few orders through the server, then send this process SIGTERM")
	flag.Parse()
	if err := run(*demo, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "shutdown:", err)
		os.Exit(1)
	}
}

// run serves until the process gets SIGINT or SIGTERM, then shuts down.
func run(demo bool, out io.Writer) error {
	logger := slog.New(slog.NewTextHandler(out, nil))
	var (
		mu     sync.Mutex
		closed []string // the singletons, in the order they closed
	)
	stopObserving := lifecycle.Observe(func(e lifecycle.Event) {
		if e.Kind == lifecycle.Closed {
			mu.Lock()
			closed = append(closed, e.Name)
			mu.Unlock()
		}
		logEvent(logger, e)
	})
	defer stopObserving()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: http.HandlerFunc(placeOrder), ReadHeaderTimeout: 5 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	url := "http://" + ln.Addr().String() + "/orders"
	logger.Info("serving", "url", url)

	demoErr := make(chan error, 1)
	if demo {
		go func() { demoErr <- placeThenTerminate(logger, url, 3) }()
	}
	select {
	case <-ctx.Done():
	case err := <-served:
		return err
	}
	stop() // a second signal ends the process at once
	logger.Info("stopping")

	// Closing gets a deadline of its own: ctx is done already.
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil { // no request uses the singletons now
		return err
	}
	if err := lifecycle.Shutdown(shutdownCtx); err != nil {
		return err
	}
	mu.Lock()
	logger.Info("stopped", "closed", strings.Join(closed, ", "))
	mu.Unlock()
	if demo {
		return <-demoErr
	}
	return nil
}

// placeOrder serves POST /orders with the process-wide repository.
func placeOrder(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "POST an order", http.StatusMethodNotAllowed)
		return
	}
	repo, err := orders.GetRepo(r.Context())
	if err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	n, err := repo.Place()
	if err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	fmt.Fprintf(w, "order %d placed\n", n)
}

// placeThenTerminate places n orders through url, then sends this process SIGTERM, as
// an orchestrator stopping the service would.
func placeThenTerminate(logger *slog.Logger, url string, n int) error {
	var errs []error
	for range n {
		resp, err := http.Post(url, "text/plain", nil)
		if err != nil {
			errs = append(errs, err)
			break
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			errs = append(errs, fmt.Errorf("POST %s: %s %s %v", url, resp.Status, body, err))
			break
		}
		logger.Info("response", "body", strings.TrimSpace(string(body)))
	}
	p, err := os.FindProcess(os.Getpid())
	if err == nil {
		err = p.Signal(syscall.SIGTERM)
	}
	return errors.Join(append(errs, err)...)
}

// logEvent logs what lifecycle reports: errors at level ERROR.
func logEvent(logger *slog.Logger, e lifecycle.Event) {
	attrs := []slog.Attr{slog.String("singleton", e.Name)}
	switch e.Kind {
	case lifecycle.BuildFinished:
		attrs = append(attrs, slog.Duration("took", e.Duration))
	case lifecycle.Dropped:
		attrs = append(attrs, slog.String("reason", e.Reason), slog.Int("count", e.Count))
	}
	level := slog.LevelInfo
	if e.Err != nil {
		level = slog.LevelError
		attrs = append(attrs, slog.Any("err", e.Err))
	}
	logger.LogAttrs(context.Background(), level, e.Kind.String(), attrs...)
}
