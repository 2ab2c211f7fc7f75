// Command paragon shows the generated manager of the Paragon client at work: it starts a
// stand-in Paragon server on 127.0.0.1, gets the client from 100 goroutines, refreshes a
// token from each, and shows that a second API key is refused.
package main

import (
	"errors"
	"fmt"
	"os"
	"sync"

	"github.com/singletongen/singletongen/examples/paragon/paragon"
	"github.com/singletongen/singletongen/examples/paragon/paragon/paragontest"
)

const (
	apiKey      = "pk-demo-1"
	otherAPIKey = "pk-demo-2"
	goroutines  = 100
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "paragon:", err)
		os.Exit(1)
	}
}

func run() error {
	server := paragontest.NewServer(apiKey, otherAPIKey)
	defer server.Close()
	fmt.Println("stand-in Paragon server at", server.URL)

	clients := make([]paragon.API, goroutines)
	tokens := make([]string, goroutines)
	errs := make([]error, goroutines)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			c, err := paragon.GetClient(server.URL, apiKey)
			if err != nil {
				errs[i] = err
				return
			}
			clients[i] = c
			tokens[i], errs[i] = c.Refresh()
		}()
	}
	close(start)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}

	distinctClients := map[paragon.API]bool{}
	for _, c := range clients {
		distinctClients[c] = true
	}
	distinctTokens := map[string]bool{}
	for _, t := range tokens {
		distinctTokens[t] = true
	}
	fmt.Printf("%d goroutines called GetClient: %d instance\n", goroutines, len(distinctClients))
	fmt.Printf("constructor calls, as sessions opened on the server: %d\n", server.SessionsOpened())
	fmt.Printf("%d tokens refreshed under the client's lock: %d distinct\n", len(tokens), len(distinctTokens))

	_, err := paragon.GetClient(server.URL, otherAPIKey)
	fmt.Printf("a second API key is refused: %v (errors.Is ErrClientConflict: %t)\n", err, errors.Is(err, paragon.ErrClientConflict))

	if err := paragon.GetClientManager().Reset(); err != nil {
		return err
	}
	fmt.Printf("Reset closed the client: %d sessions open\n", server.OpenSessions())

	if len(distinctClients) != 1 || server.SessionsOpened() != 1 || len(distinctTokens) != goroutines ||
		!errors.Is(err, paragon.ErrClientConflict) || server.OpenSessions() != 0 {
		return errors.New("the manager did not behave as it should")
	}
	return nil
}
