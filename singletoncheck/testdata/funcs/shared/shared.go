package shared // want package:"singletons\\(NewDB, NewHTTPClient, NewTemplates, openStore\\)"

//go:generate singletongen

import (
	"context"
	"database/sql"
	"net/http"
	"text/template"
)

// NewDB opens the orders database.
//
//singleton:generate
func NewDB(ctx context.Context, dsn string) (*sql.DB, error) {
	return sql.Open("postgres", dsn)
}

// NewHTTPClient builds the client all requests share.
//
//singleton:generate close=CloseIdleConnections
func NewHTTPClient() *http.Client {
	return &http.Client{}
}

// NewTemplates has a manager type and nothing process-wide: no accessor, no hooks.
//
//singleton:generate global=off
func NewTemplates() *template.Template { return template.New("page") }

// openStore names its singleton, whose names are unexported like the function's.
//
//singleton:generate name=Store
func openStore() *Store { return &Store{} }

// Store is what openStore builds; it is not annotated itself.
type Store struct{}

// OpenQueue has no stem (no New prefix, no name=): singletongen refuses it, so there
// is no manager to bypass.
//
//singleton:generate
func OpenQueue() *Store { return &Store{} }

// NewBox is generic: refused too.
//
//singleton:generate
func NewBox[T any]() *T { return new(T) }

// NewChild is a method: refused too.
//
//singleton:generate
func (s *Store) NewChild() *Store { return &Store{} }

// SetTemplatesForTest is the package's own: global=off generates no hooks.
func SetTemplatesForTest(t interface{ Name() string }) {}

func ping(ctx context.Context) {
	NewDB(ctx, "other") // want `^NewDB builds a \*sql.DB behind its manager's back: get it with GetDB \(or a DBManager from NewDBManager\)$`
	_ = &http.Client{}
	_ = openStore() // want `^openStore builds a \*Store behind its manager's back: get it with getStore \(or a storeManager from newStoreManager\)$`
	_ = &Store{}
	OpenQueue()
	NewBox[int]()
	new(Store).NewChild()
}

var fallback = NewHTTPClient // want `^NewHTTPClient taken as a value builds a \*http.Client behind its manager's back: get it with GetHTTPClient \(or a HTTPClientManager from NewHTTPClientManager\)$`
