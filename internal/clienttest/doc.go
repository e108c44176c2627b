// Package clienttest runs real OAuth client libraries, unchanged, against
// clientassert serve: Python Authlib and panva/openid-client, each with
// private_key_jwt. The scripts live in testdata/clients; testdata/clients/
// install.sh installs the libraries. Everything is in the _test.go files.
package clienttest
