// Package repo has a singleton whose constructor asks for another package's: one
// repository per tenant, built on the pool of package db.
package repo

//go:generate singletongen

import (
	"context"

	"github.com/singletongen/singletongen/lifecycle/internal/e2e/db"
	"github.com/singletongen/singletongen/lifecycle/internal/e2e/journal"
)

// Repo is the repository of one tenant.
//
//singleton:generate mode=keyed lifecycle=on
type Repo struct {
	db      *db.DB
	Journal *journal.Handle // what the journal knows of it
}

// NewRepo builds the repository of tenant on the pool.
func NewRepo(ctx context.Context, tenant string) (*Repo, error) {
	pool, err := db.GetDB(ctx)
	if err != nil {
		return nil, err
	}
	h, err := journal.Built("repo.Repo")
	if err != nil {
		return nil, err
	}
	return &Repo{db: pool, Journal: h}, nil
}

// Close closes the repository.
func (r *Repo) Close() error { return r.Journal.Close(context.Background()) }

// DB returns the pool the repository was built on.
func (r *Repo) DB() *db.DB { return r.db }
