package app

import "example.com/check/paragon"

// Use gets the client the right way.
func Use() (*paragon.Client, error) { // want Use:"reaches\\(example.com/check/paragon.Client\\)"
	return paragon.GetClient("k")
}

// Manager injects the constructor: passing it is not building.
func Manager() *paragon.ClientManager {
	return paragon.NewClientManager(paragon.NewClient)
}

// Bypass builds clients behind the manager's back.
func Bypass() {
	paragon.NewClient("k")  // want `paragon.NewClient builds a paragon.Client behind its manager's back: get it with paragon.GetClient \(or a paragon.ClientManager from paragon.NewClientManager\)`
	_ = &paragon.Client{}   // want `paragon.Client is a singleton: get it with paragon.GetClient`
	_ = []*paragon.Pool{{}} // want `paragon.Pool is a singleton: get it with paragon.GetPool`
}

// Deferred keeps the constructor to call it later: that builds a client too.
func Deferred() func(string) (*paragon.Client, error) {
	return paragon.NewClient // want `^paragon.NewClient taken as a value builds a paragon.Client behind its manager's back: get it with paragon.GetClient \(or a paragon.ClientManager from paragon.NewClientManager\)$`
}
