// Package orders has the singletons of the shutdown example: a database pool, and the
// repository of orders built on it. Both register with package lifecycle
// (lifecycle=on), so that lifecycle.Shutdown closes the repository before the pool.
package orders

//go:generate singletongen

import (
	"context"
	"errors"
	"sync/atomic"
)

// ErrClosed is what using a closed pool or repository returns.
var ErrClosed = errors.New("orders: closed")

// DB stands for a database pool.
//
//singleton:generate lifecycle=on
type DB struct {
	closed atomic.Bool
	rows   atomic.Int64
}

// NewDB opens the pool.
func NewDB(ctx context.Context) (*DB, error) {
	return &DB{}, ctx.Err()
}

// Insert adds a row and returns how many there are.
func (db *DB) Insert() (int64, error) {
	if db.closed.Load() {
		return 0, ErrClosed
	}
	return db.rows.Add(1), nil
}

// Close closes the pool: a Close with a context gets lifecycle.Shutdown's.
func (db *DB) Close(ctx context.Context) error {
	db.closed.Store(true)
	return ctx.Err()
}

// Repo stores orders through the pool.
//
//singleton:generate lifecycle=on
type Repo struct {
	db     *DB
	closed atomic.Bool
}

// NewRepo builds the repository on the pool: its build finishes after the pool's, so
// lifecycle.Shutdown closes it first.
func NewRepo(ctx context.Context) (*Repo, error) {
	db, err := GetDB(ctx)
	if err != nil {
		return nil, err
	}
	return &Repo{db: db}, nil
}

// Place stores an order and returns the number of orders.
func (r *Repo) Place() (int64, error) {
	if r.closed.Load() {
		return 0, ErrClosed
	}
	return r.db.Insert()
}

// Close closes the repository; the pool must still be open.
func (r *Repo) Close() error {
	r.closed.Store(true)
	if r.db.closed.Load() {
		return errors.New("orders: the pool was closed before the repository built on it")
	}
	return nil
}
