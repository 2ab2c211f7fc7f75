// Command stdlib shows singletons of standard-library types, which cannot carry the
// directive: package shared annotates the functions that build them, NewHTTPClient and
// NewDB, and gets GetHTTPClient and GetDB(ctx, dsn). It starts a server on 127.0.0.1,
// sends requests and queries from many goroutines, and shows one *http.Client and one
// *sql.DB shared, another DSN refused, and Reset closing both.
package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/singletongen/singletongen/examples/stdlib/memdb"
	"github.com/singletongen/singletongen/examples/stdlib/shared"
)

const (
	dsn        = "memdb://orders"
	otherDSN   = "memdb://billing"
	goroutines = 50
	perWorker  = 4
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "stdlib:", err)
		os.Exit(1)
	}
}

func run() error {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Second)
	defer cancel()
	defer shared.GetHTTPClientManager().Reset()
	defer shared.GetDBManager().Reset()

	// A server that counts the TCP connections it has open.
	var open, accepted atomic.Int64
	server := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "pong")
	}))
	server.Config.ConnState = func(_ net.Conn, state http.ConnState) {
		switch state {
		case http.StateNew:
			accepted.Add(1)
			open.Add(1)
		case http.StateClosed, http.StateHijacked:
			open.Add(-1)
		}
	}
	server.Start()
	defer server.Close()
	fmt.Println("server at", server.URL)

	// Requests and queries from many goroutines at once.
	poolsBefore := memdb.StatsOf(dsn).Pools
	clients := make([]*http.Client, goroutines)
	dbs := make([]*sql.DB, goroutines)
	connIDs := make([][]int64, goroutines)
	errs := make([]error, goroutines)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = work(ctx, server.URL, &clients[i], &dbs[i], &connIDs[i])
		}()
	}
	close(start)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	distinctClients, distinctDBs, distinctConns := map[*http.Client]bool{}, map[*sql.DB]bool{}, map[int64]bool{}
	for i := range goroutines {
		distinctClients[clients[i]] = true
		distinctDBs[dbs[i]] = true
		for _, id := range connIDs[i] {
			distinctConns[id] = true
		}
	}
	pools := memdb.StatsOf(dsn).Pools - poolsBefore
	fmt.Printf("%d requests from %d goroutines through GetHTTPClient: %d *http.Client; the server accepted %d TCP connections\n",
		goroutines*perWorker, goroutines, len(distinctClients), accepted.Load())
	fmt.Printf("%d queries from %d goroutines through GetDB(ctx, %q): %d *sql.DB, %d pool opened, answered by %d of its connections (at most 4)\n",
		goroutines*perWorker, goroutines, dsn, len(distinctDBs), pools, len(distinctConns))

	_, conflict := shared.GetDB(ctx, otherDSN)
	fmt.Printf("GetDB(ctx, %q) is refused: %v (errors.Is ErrDBConflict: %t)\n", otherDSN, conflict, errors.Is(conflict, shared.ErrDBConflict))

	// Reset closes both: the pool with Close, the client with CloseIdleConnections.
	db, client := shared.MustGetDB(ctx, dsn), shared.GetHTTPClient()
	if err := errors.Join(shared.GetDBManager().Reset(), shared.GetHTTPClientManager().Reset()); err != nil {
		return err
	}
	for deadline := time.Now().Add(2 * time.Second); open.Load() != 0 && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond) // the server sees the closes a moment later
	}
	fmt.Printf("Reset: TCP connections open on the server: %d, driver connections open: %d\n", open.Load(), memdb.StatsOf(dsn).Open)
	queryErr := db.QueryRowContext(ctx, "SELECT 1").Scan(new(int))
	fmt.Println("a query on the old *sql.DB:", queryErr)

	fresh, err := shared.GetDB(ctx, otherDSN)
	if err != nil {
		return err
	}
	fmt.Printf("after Reset GetDB(ctx, %q) builds a new pool: %t; GetHTTPClient a new client: %t\n",
		otherDSN, fresh != db, shared.GetHTTPClient() != client)

	if len(distinctClients) != 1 || len(distinctDBs) != 1 || pools != 1 || len(distinctConns) > 4 ||
		!errors.Is(conflict, shared.ErrDBConflict) || open.Load() != 0 || memdb.StatsOf(dsn).Open != 0 ||
		queryErr == nil || queryErr.Error() != "sql: database is closed" || fresh == db {
		return errors.New("the managers did not behave as they should")
	}
	return nil
}

// work sends perWorker requests and queries, each with the shared client and pool.
func work(ctx context.Context, url string, client **http.Client, db **sql.DB, connIDs *[]int64) error {
	for range perWorker {
		body, err := shared.Fetch(ctx, url)
		if err != nil {
			return err
		}
		if body != "pong" {
			return fmt.Errorf("the server answered %q", body)
		}
		id, err := shared.ConnectionID(ctx, dsn)
		if err != nil {
			return err
		}
		*connIDs = append(*connIDs, id)
	}
	*client = shared.GetHTTPClient()
	var err error
	*db, err = shared.GetDB(ctx, dsn)
	return err
}
