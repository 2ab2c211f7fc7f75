// Command tenants shows a keyed manager serving several tenants from one process: an HTTP
// service whose requests carry a tenant's API key gets each tenant's Paragon client from
// the manager, with the request's context.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/singletongen/singletongen/examples/paragon/paragon/paragontest"
	"github.com/singletongen/singletongen/examples/tenants/tenants"
)

var apiKeys = []string{"pk-acme", "pk-globex", "pk-initech"}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "tenants:", err)
		os.Exit(1)
	}
}

func run() error {
	paragon := paragontest.NewServer(apiKeys...)
	defer paragon.Close()
	service := httptest.NewServer(handler(paragon.URL))
	defer service.Close()
	fmt.Println("stand-in Paragon API at", paragon.URL, "- service at", service.URL)

	// 100 concurrent requests for each tenant.
	const perTenant = 100
	var wg sync.WaitGroup
	errs := make(chan error, perTenant*len(apiKeys))
	for range perTenant {
		for _, key := range apiKeys {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs <- request(service.URL, key)
			}()
		}
	}
	wg.Wait()
	close(errs)
	var all []error
	for err := range errs {
		all = append(all, err)
	}
	if err := errors.Join(all...); err != nil {
		return err
	}
	clients := tenants.GetClientManager()
	fmt.Printf("%d requests for %d tenants: %d clients, %d sessions opened on the Paragon API\n",
		perTenant*len(apiKeys), len(apiKeys), clients.Len(), paragon.SessionsOpened())

	// An unknown key fails its request, and the failure is not kept.
	unknown := request(service.URL, "pk-unknown")
	fmt.Printf("an unknown API key: %v; clients still %d\n", unknown, clients.Len())

	// A request whose context has ended gets ctx.Err(), and builds nothing.
	ctx, cancel := context.WithTimeout(context.Background(), time.Nanosecond)
	defer cancel()
	<-ctx.Done()
	_, ended := tenants.GetClient(ctx, tenants.Tenant{Endpoint: paragon.URL, APIKey: "pk-acme-2"})
	fmt.Printf("a request whose context has ended: %v\n", ended)

	// A tenant leaves: its client is closed, the others stay.
	if err := clients.Delete(tenants.Tenant{Endpoint: paragon.URL, APIKey: "pk-globex"}); err != nil {
		return err
	}
	fmt.Printf("Delete(globex): %d clients, %d sessions open\n", clients.Len(), paragon.OpenSessions())

	// Shutdown closes every client.
	if err := clients.Reset(); err != nil {
		return err
	}
	fmt.Printf("Reset: %d clients, %d sessions open\n", clients.Len(), paragon.OpenSessions())

	if paragon.SessionsOpened() != len(apiKeys) || paragon.OpenSessions() != 0 || unknown == nil ||
		!errors.Is(ended, context.DeadlineExceeded) {
		return errors.New("the manager did not behave as it should")
	}
	return nil
}

// handler serves GET /hello for the tenant whose key is in the X-API-Key header.
func handler(paragonURL string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tenant := tenants.Tenant{Endpoint: paragonURL, APIKey: r.Header.Get("X-API-Key")}
		client, err := tenants.GetClient(r.Context(), tenant)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		token, err := client.Token(r.Context())
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		fmt.Fprintf(w, "hello, your token is %s\n", token)
	})
}

// request sends one request for the tenant with apiKey.
func request(serviceURL, apiKey string) error {
	req, err := http.NewRequest(http.MethodGet, serviceURL+"/hello", nil)
	if err != nil {
		return err
	}
	req.Header.Set("X-API-Key", apiKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s", resp.Status, strings.TrimSpace(string(body)))
	}
	return nil
}
