package app

import (
	"context"
	"database/sql"
	"net/http"

	"example.com/funcs/shared"
)

// Use gets the shared instances the right way.
func Use(ctx context.Context) (*http.Client, error) { // want Use:"reaches\\(example.com/funcs/shared.NewDB, example.com/funcs/shared.NewHTTPClient\\)"
	if _, err := shared.GetDB(ctx, "dsn"); err != nil {
		return nil, err
	}
	return shared.GetHTTPClient(), nil
}

// Managers hand the constructors to managers of their own: what those build is managed.
func Managers() {
	shared.NewDBManager(shared.NewDB)
	shared.NewDBManager(func(ctx context.Context, dsn string) (*sql.DB, error) {
		return shared.NewDB(ctx, dsn+"?pool=2")
	})
	shared.NewTemplatesManager(shared.NewTemplates)
}

// Bypass builds instances behind their managers' backs.
func Bypass(ctx context.Context) {
	shared.NewDB(ctx, "dsn")  // want `^shared.NewDB builds a \*sql.DB behind its manager's back: get it with shared.GetDB \(or a shared.DBManager from shared.NewDBManager\)$`
	_ = shared.NewTemplates() // want `^shared.NewTemplates builds a \*template.Template behind its manager's back: get it with a shared.TemplatesManager from shared.NewTemplatesManager$`
	open := shared.NewDB      // want `^shared.NewDB taken as a value builds a \*sql.DB behind its manager's back: get it with shared.GetDB`
	open(ctx, "dsn")
	_ = (shared.NewHTTPClient)() // want `^shared.NewHTTPClient builds a \*http.Client behind its manager's back`
}

// Foreign builds values of the instance types itself: only calls of the annotated
// functions are bypasses.
func Foreign() *http.Client {
	return &http.Client{Timeout: 0}
}
