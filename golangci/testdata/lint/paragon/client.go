package paragon

//go:generate singletongen

// Client talks to the Paragon API.
//
//singleton:generate
type Client struct{ apiKey string }

// NewClient returns a client for apiKey.
func NewClient(apiKey string) (*Client, error) { return &Client{apiKey: apiKey}, nil }
