package tenants_test

import (
	"context"
	"fmt"

	"github.com/singletongen/singletongen/examples/paragon/paragon/paragontest"
	"github.com/singletongen/singletongen/examples/tenants/tenants"
)

// One client per tenant: the first request of a tenant builds its client with its own
// context, later ones share it, and other tenants get their own.
func Example() {
	paragon := paragontest.NewServer("pk-a", "pk-b")
	defer paragon.Close()
	clients := tenants.NewClientManager(nil) // tenants.GetClientManager() is the process-wide one
	defer clients.Reset()

	ctx := context.Background()
	a := tenants.Tenant{Endpoint: paragon.URL, APIKey: "pk-a"}
	b := tenants.Tenant{Endpoint: paragon.URL, APIKey: "pk-b"}
	a1, _ := clients.Get(ctx, a)
	a2, _ := clients.Get(ctx, a)
	b1, _ := clients.Get(ctx, b)
	fmt.Println("same client for a:", a1 == a2)
	fmt.Println("other client for b:", a1 != b1)
	fmt.Println("clients:", clients.Len(), "sessions:", paragon.SessionsOpened())

	if err := clients.Delete(b); err != nil {
		fmt.Println(err)
	}
	fmt.Println("after Delete(b):", clients.Len(), "clients,", paragon.OpenSessions(), "sessions open")
	// Output:
	// same client for a: true
	// other client for b: true
	// clients: 2 sessions: 2
	// after Delete(b): 1 clients, 1 sessions open
}
