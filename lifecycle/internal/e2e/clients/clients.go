// Package clients has two singletons that do not depend on each other.
package clients

//go:generate singletongen

import (
	"context"

	"github.com/singletongen/singletongen/lifecycle/internal/e2e/journal"
)

// Mail sends mail.
//
//singleton:generate lifecycle=on
type Mail struct {
	Journal *journal.Handle // what the journal knows of it
}

// NewMail returns a mail client; it cannot fail.
func NewMail() *Mail {
	h, err := journal.Built("clients.Mail")
	if err != nil {
		panic(err)
	}
	return &Mail{Journal: h}
}

// Close closes the client; it has no error to return.
func (m *Mail) Close() { _ = m.Journal.Close(context.Background()) }

// Search queries the search service.
//
//singleton:generate lifecycle=on
type Search struct {
	Journal *journal.Handle // what the journal knows of it
}

// NewSearch returns a search client.
func NewSearch() (*Search, error) {
	h, err := journal.Built("clients.Search")
	if err != nil {
		return nil, err
	}
	return &Search{Journal: h}, nil
}

// Close closes the client.
func (s *Search) Close() error { return s.Journal.Close(context.Background()) }
