module github.com/singletongen/singletongen/golangci

go 1.26.0

// The checkout this plugin is developed with; a release of this module requires the
// root module's release of the same analyzer instead.
replace github.com/singletongen/singletongen => ../

require (
	github.com/golangci/plugin-module-register v0.1.2
	github.com/singletongen/singletongen v0.0.0-00010101000000-000000000000
	golang.org/x/tools v0.52.0
)
