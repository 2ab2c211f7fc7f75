// Package accessors holds the types whose accessors bench/ measures: one annotated type
// for each shape of accessor, with the manager singletongen generates committed beside
// them (singleton_gen.go), and the approaches users would pick instead, written by hand
// in accessors_test.go.
package accessors

//go:generate go tool singletongen

import "context"

// Client stands for an expensive shared instance.
type Client struct{ name string }

// NoArg is built by func() *NoArg: its accessors return *NoArg alone.
//
//singleton:generate
type NoArg struct{ Client }

// NewNoArg builds a NoArg.
func NewNoArg() *NoArg { return &NoArg{Client{"no arguments"}} }

// NoArgErr is built by func() (*NoArgErr, error).
//
//singleton:generate
type NoArgErr struct{ Client }

// NewNoArgErr builds a NoArgErr.
func NewNoArgErr() (*NoArgErr, error) { return &NoArgErr{Client{"no arguments, error"}}, nil }

// StringArg is built by func(apiKey string) (*StringArg, error): one instance, whose
// argument every Get compares.
//
//singleton:generate
type StringArg struct{ Client }

// NewStringArg builds a StringArg.
func NewStringArg(apiKey string) (*StringArg, error) { return &StringArg{Client{apiKey}}, nil }

// Keyed is one instance per key.
//
//singleton:generate mode=keyed
type Keyed struct{ Client }

// NewKeyed builds the Keyed of key.
func NewKeyed(key string) *Keyed { return &Keyed{Client{key}} }

// Ctx is built with a context.
//
//singleton:generate
type Ctx struct{ Client }

// NewCtx builds a Ctx.
func NewCtx(ctx context.Context) (*Ctx, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return &Ctx{Client{"context"}}, nil
}
