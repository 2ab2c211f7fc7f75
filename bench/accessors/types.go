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

// FuncClient stands for a type the package does not annotate (a type of another package,
// say): its singletons come from annotated constructor functions instead.
type FuncClient struct{ Client }

// NewFuncNoArg builds the FuncClient of GetFuncNoArg: an annotated function, func() *T.
//
//singleton:generate
func NewFuncNoArg() *FuncClient { return &FuncClient{Client{"function, no arguments"}} }

// NewFuncNoArgErr builds the FuncClient of GetFuncNoArgErr: func() (*T, error).
//
//singleton:generate
func NewFuncNoArgErr() (*FuncClient, error) {
	return &FuncClient{Client{"function, no arguments, error"}}, nil
}

// Lifecycle is NoArg with lifecycle=on: it registers with package lifecycle at its first
// build.
//
//singleton:generate lifecycle=on
type Lifecycle struct{ Client }

// NewLifecycle builds a Lifecycle.
func NewLifecycle() *Lifecycle { return &Lifecycle{Client{"lifecycle=on"}} }

// KeyedMax is Keyed bounded to 1024 instances.
//
//singleton:generate mode=keyed max=1024
type KeyedMax struct{ Client }

// NewKeyedMax builds the KeyedMax of key.
func NewKeyedMax(key string) *KeyedMax { return &KeyedMax{Client{key}} }

// KeyedIdle is Keyed whose instances go after ten minutes without a Get.
//
//singleton:generate mode=keyed idle=10m
type KeyedIdle struct{ Client }

// NewKeyedIdle builds the KeyedIdle of key.
func NewKeyedIdle(key string) *KeyedIdle { return &KeyedIdle{Client{key}} }

// KeyedMaxIdle has both bounds.
//
//singleton:generate mode=keyed max=1024 idle=10m
type KeyedMaxIdle struct{ Client }

// NewKeyedMaxIdle builds the KeyedMaxIdle of key.
func NewKeyedMaxIdle(key string) *KeyedMaxIdle { return &KeyedMaxIdle{Client{key}} }

// Churn is keyed by an int and bounded to 1000 instances: a stream of new keys evicts
// one instance per Get.
//
//singleton:generate mode=keyed max=1000
type Churn struct{ n int }

// NewChurn builds the Churn of n.
func NewChurn(n int) *Churn { return &Churn{n} }
