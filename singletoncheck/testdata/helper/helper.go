package helper

import "example.com/check/paragon"

// Warm reaches the client through the manager's instance accessor.
func Warm() { // want Warm:"reaches\\(example.com/check/paragon.Client\\)"
	paragon.GetClientManager().Get("k")
}
