package lifecycle_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/singletongen/singletongen/lifecycle"
)

// manager stands for a single-instance manager that singletongen generated with
// lifecycle=on, reduced to its calls of this package.
type manager struct {
	reg      *lifecycle.Registration
	closeErr error // what the instance's Close returns

	mu    sync.Mutex
	built bool
}

func newManager(name string, closeErr error) *manager {
	m := &manager{closeErr: closeErr}
	m.reg = lifecycle.Register(lifecycle.Manager{Name: name, Len: m.len, Reset: m.reset})
	return m
}

// get builds the instance unless it is built; deps are the singletons its constructor
// asks for.
func (m *manager) get(deps ...*manager) {
	m.mu.Lock()
	built := m.built
	m.mu.Unlock()
	if built {
		return
	}
	start := m.reg.Started()
	for _, d := range deps {
		d.get()
	}
	m.mu.Lock()
	m.built = true
	m.mu.Unlock()
	m.reg.Finished(start, nil)
}

func (m *manager) len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.built {
		return 1
	}
	return 0
}

func (m *manager) reset(context.Context) (<-chan struct{}, error) {
	m.mu.Lock()
	built := m.built
	m.built = false
	m.mu.Unlock()
	if !built {
		return nil, nil
	}
	m.reg.Dropped("shutdown", 1)
	m.reg.Closed(m.closeErr)
	return nil, m.closeErr
}

// Log what the singletons go through with log/slog.
func ExampleObserve() {
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		// Leave out times and durations, so that the output below stays the same.
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if len(groups) == 0 && (a.Key == slog.TimeKey || a.Key == "took") {
				return slog.Attr{}
			}
			return a
		},
	}))
	stop := lifecycle.Observe(func(e lifecycle.Event) {
		attrs := []any{"singleton", e.Name}
		switch e.Kind {
		case lifecycle.BuildFinished:
			attrs = append(attrs, "took", e.Duration)
		case lifecycle.Dropped:
			attrs = append(attrs, "reason", e.Reason, "count", e.Count)
		}
		if e.Err != nil {
			logger.Error(e.Kind.String(), append(attrs, "err", e.Err)...)
			return
		}
		logger.Info(e.Kind.String(), attrs...)
	})
	defer stop()

	db := newManager("orders.DB", errors.New("connection reset"))
	service := newManager("orders.Service", nil)
	service.get(db) // the service's constructor asks for the database

	if err := lifecycle.Shutdown(context.Background()); err != nil {
		fmt.Println(err)
	}
	// Output:
	// level=INFO msg="build started" singleton=orders.Service
	// level=INFO msg="build started" singleton=orders.DB
	// level=INFO msg="build finished" singleton=orders.DB
	// level=INFO msg="build finished" singleton=orders.Service
	// level=INFO msg=dropped singleton=orders.Service reason=shutdown count=1
	// level=INFO msg=closed singleton=orders.Service
	// level=INFO msg=dropped singleton=orders.DB reason=shutdown count=1
	// level=ERROR msg=closed singleton=orders.DB err="connection reset"
	// orders.DB: connection reset
}

// Close every singleton, dependents first, when the process is asked to stop.
func ExampleShutdown() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	// ... serve with ctx until a signal arrives ...
	<-ctx.Done()
	stop() // a second signal kills the process at once

	// Give closing a deadline of its own: ctx is done already.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := lifecycle.Shutdown(ctx); err != nil {
		log.Print(err)
	}
}
