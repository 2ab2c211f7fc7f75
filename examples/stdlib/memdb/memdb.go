// Package memdb is a tiny database/sql driver that stores nothing: a stand-in for a real
// driver (github.com/lib/pq, pgx's stdlib, github.com/go-sql-driver/mysql), so that the
// example runs offline with the standard library alone. Import it for its side effect,
// as a real driver is imported:
//
//	import _ "github.com/singletongen/singletongen/examples/stdlib/memdb"
//
// It answers two queries, "SELECT 1" and "SELECT connection_id()" (the number of the
// connection that answers, 1 for the first one a DSN opened), and counts per DSN the
// pools opened (sql.Open) and the connections opened and still open, so that the example
// and its tests can show one pool shared and everything closed by Reset.
package memdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
)

// DriverName is the name the driver is registered under, for sql.Open.
const DriverName = "memdb"

func init() { sql.Register(DriverName, Driver{}) }

// Stats are the counts of a DSN.
type Stats struct {
	Pools  int64 // sql.Open calls: one per *sql.DB
	Opened int64 // connections opened
	Open   int64 // connections not closed yet
}

type counters struct{ pools, opened, open atomic.Int64 }

var (
	mu    sync.Mutex
	byDSN = map[string]*counters{}
)

func countersOf(dsn string) *counters {
	mu.Lock()
	defer mu.Unlock()
	c := byDSN[dsn]
	if c == nil {
		c = &counters{}
		byDSN[dsn] = c
	}
	return c
}

// StatsOf returns the counts of dsn.
func StatsOf(dsn string) Stats {
	c := countersOf(dsn)
	return Stats{Pools: c.pools.Load(), Opened: c.opened.Load(), Open: c.open.Load()}
}

// Driver is the memdb driver. sql.Open uses its OpenConnector, once per *sql.DB.
type Driver struct{}

// Open opens a connection to dsn.
func (d Driver) Open(dsn string) (driver.Conn, error) {
	c, err := d.OpenConnector(dsn)
	if err != nil {
		return nil, err
	}
	return c.Connect(context.Background())
}

// OpenConnector checks dsn, which must start with "memdb://".
func (Driver) OpenConnector(dsn string) (driver.Connector, error) {
	if !strings.HasPrefix(dsn, "memdb://") {
		return nil, errors.New("memdb: a DSN starts with memdb://")
	}
	c := countersOf(dsn)
	c.pools.Add(1)
	return connector{c}, nil
}

type connector struct{ c *counters }

func (c connector) Connect(ctx context.Context) (driver.Conn, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	c.c.open.Add(1)
	return &conn{id: c.c.opened.Add(1), c: c.c}, nil
}

func (connector) Driver() driver.Driver { return Driver{} }

// conn answers queries without prepared statements (database/sql calls QueryContext).
type conn struct {
	id int64
	c  *counters
}

func (c *conn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if len(args) > 0 {
		return nil, errors.New("memdb: queries take no arguments")
	}
	switch query {
	case "SELECT 1":
		return &rows{column: "1", value: int64(1)}, nil
	case "SELECT connection_id()":
		return &rows{column: "connection_id()", value: c.id}, nil
	}
	return nil, fmt.Errorf("memdb: cannot answer %q", query)
}

func (c *conn) Prepare(string) (driver.Stmt, error) {
	return nil, errors.New("memdb: no prepared statements")
}

func (c *conn) Begin() (driver.Tx, error) { return nil, errors.New("memdb: no transactions") }

func (c *conn) Close() error {
	c.c.open.Add(-1)
	return nil
}

// rows is a result of one row and one column.
type rows struct {
	column string
	value  driver.Value
	done   bool
}

func (r *rows) Columns() []string { return []string{r.column} }
func (r *rows) Close() error      { return nil }

func (r *rows) Next(dest []driver.Value) error {
	if r.done {
		return io.EOF
	}
	r.done = true
	dest[0] = r.value
	return nil
}
