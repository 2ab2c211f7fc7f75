package behavior

// Annotated constructor functions: the directive stands on the function, and the types
// they return carry none, as if they belonged to another package. The tests of
// funcs_test.go check their managers for the properties the tests of the annotated types
// check.

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"sync/atomic"
)

// Handle is what the results of the annotated functions here embed: an identity and a
// count of the calls of the method that closes them.
type Handle struct {
	Serial int64
	closes atomic.Int32
}

var lastSerial atomic.Int64

func newHandle() Handle { return Handle{Serial: lastSerial.Add(1)} }

// Closes reports how many times the method that closes the value was called.
func (h *Handle) Closes() int32 { return h.closes.Load() }

// Pool is a connection pool. It carries no directive: NewPool does.
type Pool struct {
	Handle
	Addr     string
	Port     int
	CloseErr error // what Close returns
}

// Close counts the calls and returns CloseErr.
func (p *Pool) Close() error {
	p.closes.Add(1)
	return p.CloseErr
}

// NewPool returns a pool of connections to addr:port.
//
//singleton:generate
func NewPool(addr string, port int) (*Pool, error) {
	if addr == "" {
		return nil, errors.New("behavior: NewPool: no address")
	}
	return &Pool{Handle: newHandle(), Addr: addr, Port: port}, nil
}

// Store keeps sessions. It closes without an error.
type Store struct {
	Handle
}

// Close counts the calls.
func (s *Store) Close() { s.closes.Add(1) }

// storeBuilds counts the calls of NewSessionStore, and storeHook, when set, replaces
// what it builds: for the tests of the process-wide manager, which do not run in
// parallel.
var (
	storeBuilds atomic.Int32
	storeHook   func() *Store
)

// NewSessionStore returns an empty session store. It takes no arguments and cannot fail:
// its accessors return *Store alone.
//
//singleton:generate
func NewSessionStore() *Store {
	storeBuilds.Add(1)
	if storeHook != nil {
		return storeHook()
	}
	return &Store{Handle: newHandle()}
}

// DB is a tenant's database. Its Close takes a context, as pgx's *pgx.Conn does.
type DB struct {
	Handle
	Tenant string
	// closeCtxErr records what was wrong with the context Close was given, if anything.
	closeCtxErr atomic.Pointer[string]
}

// Close counts the calls and checks the context it is given: the manager passes
// context.Background().
func (d *DB) Close(ctx context.Context) error {
	d.closes.Add(1)
	switch {
	case ctx == nil:
		msg := "nil context"
		d.closeCtxErr.Store(&msg)
	case ctx.Err() != nil:
		msg := "done context: " + ctx.Err().Error()
		d.closeCtxErr.Store(&msg)
	}
	return nil
}

// CloseContextProblem returns what was wrong with the context Close was given, or "".
func (d *DB) CloseContextProblem() string {
	if p := d.closeCtxErr.Load(); p != nil {
		return *p
	}
	return ""
}

// NewTenantDB opens the database of a tenant: one per tenant.
//
//singleton:generate mode=keyed
func NewTenantDB(ctx context.Context, tenant string) (*DB, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return &DB{Handle: newHandle(), Tenant: tenant}, nil
}

// Cacher is what NewCache returns: the manager holds the interface, and sees only its
// methods.
type Cacher interface {
	Get(key string) (string, bool)
	Close() error
}

// memCache is the Cacher that NewCache builds.
type memCache struct {
	Handle
	mu sync.Mutex
	m  map[string]string
}

func (c *memCache) Get(key string) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[key]
	return v, ok
}

func (c *memCache) Close() error {
	c.closes.Add(1)
	return nil
}

// NewCache returns an empty cache, as a Cacher.
//
//singleton:generate
func NewCache() (Cacher, error) {
	return &memCache{Handle: newHandle(), m: map[string]string{"greeting": "hello"}}, nil
}

// worker is unexported, and so is its annotated function: the generated names are too.
type worker struct {
	Handle
}

func (w *worker) Close() error {
	w.closes.Add(1)
	return nil
}

//singleton:generate
func newWorker() *worker { return &worker{Handle: newHandle()} }

// journal is opened by a function whose name does not start with New: name= gives the
// stem, and the names stay unexported as the function is.
type journal struct {
	Handle
	path string
}

func (j *journal) Close() {
	j.closes.Add(1)
}

//singleton:generate name=Journal
func openJournal(path string) (*journal, error) {
	return &journal{Handle: newHandle(), path: path}, nil
}

// Broker is closed by Disconnect (close=Disconnect); its Close must never be called by
// the manager.
type Broker struct {
	Handle
	closeCalls atomic.Int32
}

// Disconnect counts the calls.
func (b *Broker) Disconnect() error {
	b.closes.Add(1)
	return nil
}

// Close counts its own calls apart: the manager must call Disconnect instead.
func (b *Broker) Close() error {
	b.closeCalls.Add(1)
	return nil
}

// CloseCalls reports how many times Close was called.
func (b *Broker) CloseCalls() int32 { return b.closeCalls.Load() }

// NewBroker connects to the message broker.
//
//singleton:generate close=Disconnect
func NewBroker() (*Broker, error) {
	return &Broker{Handle: newHandle()}, nil
}

// IdleTransport is an http.RoundTripper that counts the calls of CloseIdleConnections,
// which (*http.Client).CloseIdleConnections forwards to it.
type IdleTransport struct {
	http.RoundTripper
	idleCloses atomic.Int32
}

// CloseIdleConnections counts the calls.
func (t *IdleTransport) CloseIdleConnections() { t.idleCloses.Add(1) }

// IdleCloses reports how many times CloseIdleConnections was called.
func (t *IdleTransport) IdleCloses() int32 { return t.idleCloses.Load() }

// NewHTTPClient returns a client of the standard library, closed with
// close=CloseIdleConnections.
//
//singleton:generate close=CloseIdleConnections
func NewHTTPClient() *http.Client {
	return &http.Client{Transport: &IdleTransport{RoundTripper: http.DefaultTransport}}
}

// Set is generic: NewLabels returns an instantiation of it, which has no Close, so
// nothing is closed.
type Set[T comparable] struct {
	Handle
	mu sync.Mutex
	m  map[T]struct{}
}

// Add adds v.
func (s *Set[T]) Add(v T) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[v] = struct{}{}
}

// Has reports whether v was added.
func (s *Set[T]) Has(v T) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.m[v]
	return ok
}

// NewLabels returns an empty set of labels.
//
//singleton:generate
func NewLabels() *Set[string] {
	return &Set[string]{Handle: newHandle(), m: map[string]struct{}{}}
}
