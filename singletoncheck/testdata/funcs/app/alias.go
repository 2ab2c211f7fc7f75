package app

import s "example.com/funcs/shared"

// Aliased names the package by its import name.
func Aliased() {
	s.NewHTTPClient() // want `^s.NewHTTPClient builds a \*http.Client behind its manager's back: get it with s.GetHTTPClient \(or a s.HTTPClientManager from s.NewHTTPClientManager\)$`
}
