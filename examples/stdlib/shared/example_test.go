package shared_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/singletongen/singletongen/examples/stdlib/shared"
)

// GetDB shares one pool per process; another DSN is refused, and Reset closes the pool.
func ExampleGetDB() {
	ctx := context.Background()
	db, err := shared.GetDB(ctx, "memdb://example")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("same pool:", db == shared.MustGetDB(ctx, "memdb://example"))

	_, err = shared.GetDB(ctx, "memdb://elsewhere")
	fmt.Println("other DSN:", errors.Is(err, shared.ErrDBConflict))

	if err := shared.GetDBManager().Reset(); err != nil {
		fmt.Println(err)
	}
	fmt.Println("after Reset:", db.PingContext(ctx))
	// Output:
	// same pool: true
	// other DSN: true
	// after Reset: sql: database is closed
}
