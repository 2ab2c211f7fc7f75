package clean

import "example.com/lint/paragon"

// Client gets the one client.
func Client() *paragon.Client {
	return paragon.MustGetClient("pk")
}
