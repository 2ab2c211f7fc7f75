// Package paragon is a client for the Paragon API, shared by a whole process through
// the manager singletongen generates for it (singleton_gen.go).
//
// It is the Go version of a Python singleton: a manager with double-checked locking,
// get_instance(api_key) and get_client(api_key), and a token refreshed under a lock.
// Here GetClient plays get_client and GetClientManager plays get_instance; unlike the
// original, a second API key gets ErrClientConflict instead of the first key's client,
// and tests can replace or reset the client (SetClientForTest, ResetClientForTest). The
// manager hands out the API interface (iface=API), so a test can install any fake.
package paragon

//go:generate go tool singletongen

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Client talks to the Paragon API with one API key. Its constructor opens an API
// session; the access token is fetched over HTTP and refreshed under the client's lock.
//
//singleton:generate iface=API
type Client struct {
	baseURL   string
	apiKey    string
	sessionID string
	http      *http.Client

	mu      sync.Mutex // guards token and expires
	token   string
	expires time.Time
}

// NewClient opens a session with the Paragon API at baseURL for apiKey. Use GetClient
// to share one client across the process.
func NewClient(baseURL, apiKey string) (*Client, error) {
	if apiKey == "" {
		return nil, errors.New("paragon: empty API key")
	}
	c := &Client{
		baseURL: strings.TrimSuffix(baseURL, "/"),
		apiKey:  apiKey,
		http:    &http.Client{Timeout: 10 * time.Second},
	}
	var session struct {
		ID string `json:"session_id"`
	}
	if err := c.call(http.MethodPost, "/v1/sessions", "Bearer "+apiKey, &session); err != nil {
		return nil, fmt.Errorf("paragon: opening a session: %w", err)
	}
	c.sessionID = session.ID
	return c, nil
}

// Token returns an access token, fetching a new one when the current one has expired.
func (c *Client) Token() (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.token != "" && time.Now().Before(c.expires) {
		return c.token, nil
	}
	return c.refreshLocked()
}

// Refresh fetches a new access token now and returns it.
func (c *Client) Refresh() (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.refreshLocked()
}

func (c *Client) refreshLocked() (string, error) {
	var token struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
	}
	if err := c.call(http.MethodPost, "/v1/token", "Session "+c.sessionID, &token); err != nil {
		return "", fmt.Errorf("paragon: fetching a token: %w", err)
	}
	c.token = token.AccessToken
	c.expires = time.Now().Add(time.Duration(token.ExpiresIn) * time.Second)
	return c.token, nil
}

// Close ends the client's API session. The generated manager calls it when it drops
// the client (Reset, and the test hooks' cleanup).
func (c *Client) Close() error {
	if err := c.call(http.MethodDelete, "/v1/sessions/"+c.sessionID, "Bearer "+c.apiKey, nil); err != nil {
		return fmt.Errorf("paragon: closing the session: %w", err)
	}
	return nil
}

// AuthHeader returns the Authorization header for a request to the Paragon API on
// behalf of the process: the bearer token of the process-wide client.
func AuthHeader(baseURL, apiKey string) (string, error) {
	c, err := GetClient(baseURL, apiKey)
	if err != nil {
		return "", err
	}
	token, err := c.Token()
	if err != nil {
		return "", err
	}
	return "Bearer " + token, nil
}

// call sends a request and decodes the JSON response into out, if out is not nil.
// Errors never contain the credentials.
func (c *Client) call(method, path, authorization string, out any) error {
	req, err := http.NewRequest(method, c.baseURL+path, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", authorization)
	resp, err := c.http.Do(req)
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
