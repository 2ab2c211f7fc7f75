module github.com/singletongen/singletongen/bench

go 1.26.0

replace github.com/singletongen/singletongen => ../

require github.com/singletongen/singletongen v0.0.0-00010101000000-000000000000 // indirect

require (
	github.com/hashicorp/golang-lru/v2 v2.0.7
	github.com/maypok86/otter/v2 v2.4.0
	github.com/samber/do/v2 v2.0.0
	go.uber.org/dig v1.19.0
)

require (
	github.com/aclements/go-moremath v0.0.0-20210112150236-f10218a38794 // indirect
	github.com/dave/jennifer v1.7.1 // indirect
	github.com/rogpeppe/go-internal v1.16.0 // indirect
	github.com/samber/go-type-to-string v1.8.0 // indirect
	github.com/singletongen/singletongen/lifecycle v0.0.0
	golang.org/x/mod v0.42.0 // indirect
	golang.org/x/perf v0.0.0-20260908200009-22c9c6c9d4da // indirect
	golang.org/x/sync v0.24.0 // indirect
	golang.org/x/tools v0.52.0
)

tool (
	github.com/singletongen/singletongen/cmd/singletongen
	golang.org/x/perf/cmd/benchstat
	golang.org/x/tools/cmd/stringer
)

replace github.com/singletongen/singletongen/lifecycle => ../lifecycle
