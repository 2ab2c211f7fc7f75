// Package e2e tests package lifecycle end to end, with managers that singletongen
// generated with lifecycle=on in the packages below it: db, repo (whose constructor asks
// for db's DB), clients (two independent singletons), audit (a Close that asks for
// another singleton) and vault (keyed by a secret, bounded). Package journal records
// what their instances build and close, in order.
//
// The generated files are committed; the root module's generator tests check that they
// are current. To regenerate, with singletongen on PATH:
//
//	go generate ./...
package e2e
