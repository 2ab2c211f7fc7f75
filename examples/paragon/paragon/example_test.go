package paragon_test

import (
	"errors"
	"fmt"

	"github.com/singletongen/singletongen/examples/paragon/paragon"
	"github.com/singletongen/singletongen/examples/paragon/paragon/paragontest"
)

// GetClient shares one client per process; another API key is refused rather than
// answered with the first key's client.
func Example() {
	server := paragontest.NewServer("pk-1", "pk-2")
	defer server.Close()
	defer paragon.GetClientManager().Reset() // closes the client: ends its session

	a, err := paragon.GetClient(server.URL, "pk-1")
	if err != nil {
		fmt.Println(err)
		return
	}
	b := paragon.MustGetClient(server.URL, "pk-1")
	fmt.Println("same client:", a == b)
	fmt.Println("sessions opened:", server.SessionsOpened())

	_, err = paragon.GetClient(server.URL, "pk-2")
	fmt.Println("other key:", errors.Is(err, paragon.ErrClientConflict))
	// Output:
	// same client: true
	// sessions opened: 1
	// other key: true
}

// A manager of its own, with an injected constructor, shares no state with the
// process-wide one: for dependency injection and for isolated tests.
func ExampleNewClientManager() {
	server := paragontest.NewServer("pk-1")
	defer server.Close()

	calls := 0
	m := paragon.NewClientManager(func(baseURL, apiKey string) (paragon.API, error) {
		calls++
		c, err := paragon.NewClient(baseURL, apiKey)
		if err != nil {
			return nil, err // not c: a nil *Client in an API is not a nil API
		}
		return c, nil
	})
	for range 3 {
		if _, err := m.Get(server.URL, "pk-1"); err != nil {
			fmt.Println(err)
			return
		}
	}
	fmt.Println("constructor calls:", calls)
	if err := m.Reset(); err != nil {
		fmt.Println(err)
	}
	fmt.Println("open sessions after Reset:", server.OpenSessions())
	// Output:
	// constructor calls: 1
	// open sessions after Reset: 0
}

// Reset drops the client, closing it, and the next call builds a new one: credential
// rotation, or a fresh start.
func ExampleClientManager_Reset() {
	server := paragontest.NewServer("pk-old", "pk-new")
	defer server.Close()
	m := paragon.GetClientManager()
	defer m.Reset()

	if _, err := m.Get(server.URL, "pk-old"); err != nil {
		fmt.Println(err)
		return
	}
	if err := m.Reset(); err != nil {
		fmt.Println(err)
		return
	}
	if _, err := m.Get(server.URL, "pk-new"); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("sessions opened:", server.SessionsOpened(), "open:", server.OpenSessions())
	// Output:
	// sessions opened: 2 open: 1
}
