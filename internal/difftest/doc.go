// Package difftest holds the differential test of clientassert's predicted
// token endpoint answer against the server's validating library itself:
// panva/jose 2.0.7 run by testdata/oracle/predict.js. The package has no code of its
// own; everything is in the _test.go files.
package difftest
