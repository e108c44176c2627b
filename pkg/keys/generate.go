package keys

// The fixtures in testdata come from testdata/gen.go. RSA keys are read back
// from the committed files, so running this again changes nothing.
//go:generate go run ./testdata/gen.go -dir testdata
