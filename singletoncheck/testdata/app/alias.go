package app

import p2 "example.com/check/paragon"

// Aliased names the package by its import name.
func Aliased() {
	_ = &p2.Pool{} // want `p2.Pool is a singleton: get it with p2.GetPool \(or a p2.PoolManager from p2.NewPoolManager\)`
}
