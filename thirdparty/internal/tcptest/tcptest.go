// Package tcptest is a TCP listener on the loopback interface that counts the
// connections it accepts, to prove that a client's constructor does not dial
// and that the client, once used, dials the address it was given.
package tcptest

import (
	"net"
	"sync"
	"testing"
	"time"
)

// Listener accepts connections on 127.0.0.1 and closes each at once.
type Listener struct {
	ln       net.Listener
	accepted chan struct{}
	mu       sync.Mutex
	n        int
}

// Listen starts a Listener that stops when tb's test ends.
func Listen(tb testing.TB) *Listener {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("listen: %v", err)
	}
	l := &Listener{ln: ln, accepted: make(chan struct{}, 1)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
			l.mu.Lock()
			l.n++
			l.mu.Unlock()
			select {
			case l.accepted <- struct{}{}:
			default:
			}
		}
	}()
	tb.Cleanup(func() {
		ln.Close()
		<-done
	})
	return l
}

// Addr is the listener's host:port.
func (l *Listener) Addr() string { return l.ln.Addr().String() }

// Port is the listener's port.
func (l *Listener) Port() int { return l.ln.Addr().(*net.TCPAddr).Port }

// Accepted is the number of connections accepted so far.
func (l *Listener) Accepted() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.n
}

// NoDial fails tb if a connection arrives within grace: long enough for a
// client that dials from a background goroutine of its constructor to do so.
func (l *Listener) NoDial(tb testing.TB, grace time.Duration) {
	tb.Helper()
	select {
	case <-l.accepted:
		tb.Fatalf("%d connection(s) to %s before the client was used", l.Accepted(), l.Addr())
	case <-time.After(grace):
	}
}

// Dialed fails tb unless a connection arrives within timeout.
func (l *Listener) Dialed(tb testing.TB, timeout time.Duration) {
	tb.Helper()
	select {
	case <-l.accepted:
	case <-time.After(timeout):
		tb.Fatalf("no connection to %s within %v", l.Addr(), timeout)
	}
}
