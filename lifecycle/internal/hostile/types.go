// Package hostile holds singletons with lifecycle=on whose constructors and Close methods
// the tests of this package steer, to try to break the promises of package lifecycle.
// Nothing here is for use outside those tests.
package hostile

//go:generate singletongen

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"

	"github.com/singletongen/singletongen/lifecycle/internal/hostile/base"
)

// Svc is built on a base.Conn: it depends on it.
//
//singleton:generate lifecycle=on
type Svc struct {
	Conn *base.Conn
}

// NewSvc returns a Svc built on the process-wide base.Conn.
func NewSvc() (*Svc, error) {
	c, err := base.GetConn()
	if err != nil {
		return nil, err
	}
	return &Svc{Conn: c}, nil
}

// Close closes the Svc, and records a violation if its Conn was closed first.
func (s *Svc) Close() error {
	if s.Conn.Closed() {
		record("Svc closed after the Conn it was built on")
	}
	return nil
}

// Hooked is a single instance whose build and Close run the hooks that tests set.
//
//singleton:generate lifecycle=on
type Hooked struct {
	ID int64
}

// BuildHook, when set, runs in NewHooked; CloseHook, when set, runs in Close and its
// result is Close's.
var (
	BuildHook atomic.Pointer[func()]
	CloseHook atomic.Pointer[func(ctx context.Context) error]

	hookedIDs    atomic.Int64
	hookedCloses atomic.Int64
)

// NewHooked returns a new Hooked after running BuildHook.
func NewHooked() (*Hooked, error) {
	if h := BuildHook.Load(); h != nil {
		(*h)()
	}
	return &Hooked{ID: hookedIDs.Add(1)}, nil
}

// Close runs CloseHook and counts the close.
func (h *Hooked) Close(ctx context.Context) error {
	hookedCloses.Add(1)
	if f := CloseHook.Load(); f != nil {
		return (*f)(ctx)
	}
	return nil
}

// HookedCloses returns how many Hooked instances were closed.
func HookedCloses() int64 { return hookedCloses.Load() }

// Session is one per token, at most two at a time.
//
//singleton:generate mode=keyed max=2 lifecycle=on
type Session struct {
	token  string
	closed atomic.Bool
}

// ErrEmptyToken is NewSession's error for an empty token.
var ErrEmptyToken = errors.New("hostile: empty token")

var sessionCloses atomic.Int64

// NewSession returns a session for token.
func NewSession(token string) (*Session, error) {
	if token == "" {
		return nil, ErrEmptyToken
	}
	return &Session{token: token}, nil
}

// Close closes the session; closing one twice is a violation.
func (s *Session) Close() error {
	if s.closed.Swap(true) {
		record("Session closed twice")
	}
	sessionCloses.Add(1)
	return nil
}

// SessionCloses returns how many sessions were closed.
func SessionCloses() int64 { return sessionCloses.Load() }

// Idler is one per key, dropped when no Get returned it for a while.
//
//singleton:generate mode=keyed idle=20ms lifecycle=on
type Idler struct {
	closed atomic.Bool
}

var idlerCloses atomic.Int64

// NewIdler returns an Idler for key.
func NewIdler(key string) (*Idler, error) { return &Idler{}, nil }

// Close closes the Idler; closing one twice is a violation.
func (i *Idler) Close() error {
	if i.closed.Swap(true) {
		record("Idler closed twice")
	}
	idlerCloses.Add(1)
	return nil
}

// IdlerCloses returns how many Idlers were closed.
func IdlerCloses() int64 { return idlerCloses.Load() }

var (
	violationsMu sync.Mutex
	violations   []string
)

func record(v string) {
	violationsMu.Lock()
	violations = append(violations, v)
	violationsMu.Unlock()
}

// TakeViolations returns the violations recorded since the last call.
func TakeViolations() []string {
	violationsMu.Lock()
	defer violationsMu.Unlock()
	v := violations
	violations = nil
	return v
}
