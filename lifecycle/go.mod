module github.com/singletongen/singletongen/lifecycle

go 1.22
