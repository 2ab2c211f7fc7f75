// Package vault has singletons built with secrets: a bounded keyed manager of clients,
// one per token, and a signer built with a key. Neither secret may appear in what
// package lifecycle reports.
package vault

//go:generate singletongen

import (
	"context"
	"errors"

	"github.com/singletongen/singletongen/lifecycle/internal/e2e/journal"
)

// Client talks to the vault with one token.
//
//singleton:generate mode=keyed max=2 lifecycle=on
type Client struct {
	Journal *journal.Handle // what the journal knows of it
}

// ErrNoToken is the error of NewClient without a token.
var ErrNoToken = errors.New("vault: no token")

// NewClient returns a client for token.
func NewClient(token string) (*Client, error) {
	if token == "" {
		return nil, ErrNoToken
	}
	h, err := journal.Built("vault.Client")
	if err != nil {
		return nil, err
	}
	return &Client{Journal: h}, nil
}

// Close closes the client.
func (c *Client) Close() error { return c.Journal.Close(context.Background()) }

// Signer signs with one key: a single instance, built with arguments.
//
//singleton:generate lifecycle=on
type Signer struct {
	Journal *journal.Handle // what the journal knows of it
}

// NewSigner returns a signer for key.
func NewSigner(ctx context.Context, key string) (*Signer, error) {
	h, err := journal.Built("vault.Signer")
	if err != nil {
		return nil, err
	}
	return &Signer{Journal: h}, nil
}

// Close closes the signer.
func (s *Signer) Close(ctx context.Context) error { return s.Journal.Close(ctx) }
