package paragon // want package:"singletons\\(Client, Pool, Quiet\\)"

//go:generate singletongen

import "errors"

// Client is shared.
//
//singleton:generate
type Client struct{ apiKey string }

// NewClient builds the client: the one place outside tests that may.
func NewClient(apiKey string) (*Client, error) {
	if apiKey == "" {
		return nil, errors.New("empty key")
	}
	return &Client{apiKey: apiKey}, nil
}

// Pool has no constructor: its manager builds new(Pool).
//
//singleton:generate
type Pool struct{ size int }

// Default reaches the process-wide client.
func Default() *Client { // want Default:"reaches\\(example.com/check/paragon.Client\\)"
	return MustGetClient("default")
}

func rebuild() *Client {
	c, _ := NewClient("again") // want `NewClient builds a Client behind its manager's back: get it with GetClient \(or a ClientManager from NewClientManager\)`
	return c
}

func literal() *Pool {
	return &Pool{size: 2} // want `Pool is a singleton: get it with GetPool \(or a PoolManager from NewPoolManager\) instead of building it`
}

// Quiet has no generated test hooks: functions of those names are the package's own.
//
//singleton:generate testhooks=off
type Quiet struct{}

// SetQuietForTest is not a generated hook.
func SetQuietForTest(t interface{ Name() string }, q *Quiet) {}

// shadow declares a type of the singleton's name: it is another type.
func shadow() {
	type Client struct{}
	_ = &Client{}
}

var afterTheConstructor = &Client{} // want `Client is a singleton: get it with GetClient`
