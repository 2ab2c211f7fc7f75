// Package cache shares go-redis v9 clients through singletongen managers: one
// *redis.Client for the process, and one redis.UniversalClient per region.
//
// Neither constructor dials: go-redis connects on the first command, so
// building a client costs no round trip and works without a server.
package cache

import (
	"fmt"

	"github.com/redis/go-redis/v9"
)

//go:generate go tool singletongen

// NewRedis returns a client of the Redis server at addr. It does not connect:
// the first command does.
//
//singleton:generate
func NewRedis(addr string) *redis.Client {
	return redis.NewClient(&redis.Options{Addr: addr})
}

// NewRegionRedis returns a client of the Redis cluster of region, whose three
// nodes are named region-0.redis.internal to region-2.redis.internal. It does
// not connect: the first command does.
//
// The manager holds a redis.UniversalClient, an interface: it closes clients
// through the interface's own Close method.
//
//singleton:generate mode=keyed
func NewRegionRedis(region string) redis.UniversalClient {
	addrs := make([]string, 3)
	for i := range addrs {
		addrs[i] = fmt.Sprintf("%s-%d.redis.internal:6379", region, i)
	}
	return redis.NewUniversalClient(&redis.UniversalOptions{Addrs: addrs})
}
