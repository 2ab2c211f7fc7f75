// Package store shares a pgx v5 connection pool through a singletongen
// manager.
//
// The constructor does not dial: with MinConns and MinIdleConns at 0 a
// pgxpool.Pool opens its first connection on the first Acquire, so building it
// costs no round trip and works without a server.
package store

import (
	"context"

	"github.com/jackc/pgx/v5/pgxpool"
)

//go:generate go tool singletongen

// NewPool returns a pool of connections to the PostgreSQL database that dsn
// names (a URL or keyword/value string, see pgxpool.ParseConfig). It does not
// connect: the first Acquire does. The pool keeps no cancellation of ctx.
//
//singleton:generate
func NewPool(ctx context.Context, dsn string) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, err
	}
	// Connect lazily, whatever the DSN's pool_min_conns says: a process that
	// starts while the database is away must still start.
	cfg.MinConns = 0
	cfg.MinIdleConns = 0
	return pgxpool.NewWithConfig(ctx, cfg)
}
