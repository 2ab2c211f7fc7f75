// Package db has the singleton that the others are built on: a database pool.
package db

//go:generate singletongen

import (
	"context"

	"github.com/singletongen/singletongen/lifecycle/internal/e2e/journal"
)

// DB stands for a database pool.
//
//singleton:generate lifecycle=on
type DB struct {
	Journal *journal.Handle // what the journal knows of it
}

// NewDB opens the pool.
func NewDB(ctx context.Context) (*DB, error) {
	h, err := journal.Built("db.DB")
	if err != nil {
		return nil, err
	}
	return &DB{Journal: h}, nil
}

// Close closes the pool, within ctx.
func (db *DB) Close(ctx context.Context) error { return db.Journal.Close(ctx) }
