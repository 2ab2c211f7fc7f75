// Package rpc shares a gRPC client connection through a singletongen manager
// that stores and returns it as the interface Conn, so that tests can install
// a fake.
//
// The constructor does not dial: grpc.NewClient starts in the idle state and
// connects on the first RPC (or on Connect).
package rpc

import (
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

//go:generate go tool singletongen

// NewConn returns a client connection to target, in plaintext. It does not
// connect: the first RPC does.
//
//singleton:generate iface=Conn
func NewConn(target string) (*grpc.ClientConn, error) {
	return grpc.NewClient(target, grpc.WithTransportCredentials(insecure.NewCredentials()))
}
