// Package tenants is a Paragon API client for a service that serves many tenants from one
// process, each with its own API key. The manager singletongen generates for it
// (singleton_gen.go) keeps one client per tenant: GetClient(ctx, tenant) builds a
// tenant's client on its first request, with that request's context, and shares it with
// all later requests of the tenant.
package tenants

//go:generate go tool singletongen

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Tenant identifies a tenant's Paragon account: the API's address and the tenant's key.
// It is the key of the clients: comparable, and never printed.
type Tenant struct {
	Endpoint string
	APIKey   string
}

// Client talks to the Paragon API for one tenant. Its constructor opens an API session.
//
//singleton:generate mode=keyed
type Client struct {
	tenant    Tenant
	sessionID string
}

// NewClient opens a session for the tenant. ctx bounds the request that opens it; the
// client does not keep it.
func NewClient(ctx context.Context, tenant Tenant) (*Client, error) {
	if tenant.APIKey == "" {
		return nil, errors.New("tenants: empty API key")
	}
	c := &Client{tenant: tenant}
	var session struct {
		ID string `json:"session_id"`
	}
	if err := c.call(ctx, http.MethodPost, "/v1/sessions", "Bearer "+tenant.APIKey, &session); err != nil {
		return nil, fmt.Errorf("tenants: opening a session: %w", err)
	}
	c.sessionID = session.ID
	return c, nil
}

// Token fetches an access token for the tenant.
func (c *Client) Token(ctx context.Context) (string, error) {
	var token struct {
		AccessToken string `json:"access_token"`
	}
	if err := c.call(ctx, http.MethodPost, "/v1/token", "Session "+c.sessionID, &token); err != nil {
		return "", fmt.Errorf("tenants: fetching a token: %w", err)
	}
	return token.AccessToken, nil
}

// Close ends the tenant's session. The manager calls it when it drops the client:
// Delete (a tenant leaves, or rotates its key), Reset (shutdown).
func (c *Client) Close() error {
	return c.call(context.Background(), http.MethodDelete, "/v1/sessions/"+c.sessionID, "Bearer "+c.tenant.APIKey, nil)
}

// call sends a request and decodes the JSON response into out, if out is not nil.
// Errors never contain the credentials.
func (c *Client) call(ctx context.Context, method, path, authorization string, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimSuffix(c.tenant.Endpoint, "/")+path, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", authorization)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: %s", method, path, resp.Status)
	}
	if out == nil {
		return nil
	}
	return json.NewDecoder(resp.Body).Decode(out)
}
