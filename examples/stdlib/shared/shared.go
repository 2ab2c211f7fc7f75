// Package shared holds what a whole service shares: one *http.Client for outgoing
// requests and one *sql.DB pool. Both are standard-library types, which cannot carry the
// //singleton:generate directive, so it stands on their constructor functions instead,
// and singleton_gen.go gives GetHTTPClient, GetDB(ctx, dsn), MustGetDB, their managers
// (HTTPClientManager, DBManager), ErrDBConflict and the test hooks SetHTTPClientForTest,
// ResetHTTPClientForTest, SetDBForTest and ResetDBForTest.
//
// The database is memdb, a stand-in driver that stores nothing; a service would import
// its real driver the same way.
package shared

//go:generate go tool singletongen

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/singletongen/singletongen/examples/stdlib/memdb" // registers the "memdb" driver
)

// NewHTTPClient returns the client for outgoing requests, whose transport keeps
// connections alive for reuse. Share it with GetHTTPClient: a client per request would
// open a connection per request. When its manager drops it (Reset, a test hook's
// cleanup), CloseIdleConnections is called: an *http.Client has no Close.
//
//singleton:generate close=CloseIdleConnections
func NewHTTPClient() *http.Client {
	return &http.Client{
		Timeout: 10 * time.Second,
		Transport: &http.Transport{
			Proxy:               http.ProxyFromEnvironment,
			MaxIdleConns:        100,
			MaxIdleConnsPerHost: 64,
			IdleConnTimeout:     90 * time.Second,
		},
	}
}

// NewDB opens the database at dsn and checks, with ctx, that it answers. Share it with
// GetDB(ctx, dsn): an *sql.DB is a pool, meant to be opened once. Another dsn than that of
// the shared pool gets ErrDBConflict; the manager closes the pool (Close) when it drops it.
//
//singleton:generate
func NewDB(ctx context.Context, dsn string) (*sql.DB, error) {
	db, err := sql.Open(memdb.DriverName, dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(4)
	db.SetMaxIdleConns(4) // keep what it opened: a shared pool is busy again soon
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// Fetch GETs url with the shared client and returns the body.
func Fetch(ctx context.Context, url string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", err
	}
	resp, err := GetHTTPClient().Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return string(body), nil
}

// ConnectionID asks the shared database of dsn which of its connections answers.
func ConnectionID(ctx context.Context, dsn string) (int64, error) {
	db, err := GetDB(ctx, dsn)
	if err != nil {
		return 0, err
	}
	var id int64
	err = db.QueryRowContext(ctx, "SELECT connection_id()").Scan(&id)
	return id, err
}
