package bypass

import "example.com/lint/paragon"

// Clients builds clients behind the manager's back.
func Clients() []*paragon.Client {
	a := &paragon.Client{}
	b, _ := paragon.NewClient("pk")
	return []*paragon.Client{a, b}
}
