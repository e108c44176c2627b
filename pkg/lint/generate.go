package lint

//go:generate go run ../../internal/fixtures/gen -out ../../testdata
