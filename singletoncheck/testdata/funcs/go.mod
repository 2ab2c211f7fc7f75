module example.com/funcs

go 1.22
