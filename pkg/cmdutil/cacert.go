package cmdutil

import (
	"crypto/x509"

	"github.com/spf13/cobra"

	"github.com/clientassert/clientassert/pkg/jwksfetch"
)

// CACertUsage documents --cacert and the environment that steers fetches.
const CACertUsage = "Also trust the CA certificates in this PEM `file` when fetching over https (added to the system roots; " +
	"SSL_CERT_FILE replaces the system roots, HTTPS_PROXY sends fetches through a proxy)"

// CACertFlag defines --cacert on a command that fetches.
func CACertFlag(cmd *cobra.Command, p *string) {
	cmd.Flags().StringVar(p, "cacert", "", CACertUsage)
}

// RootCAs reads --cacert: nil (the system roots) when path is empty.
func RootCAs(f *Factory, path string) (*x509.CertPool, error) {
	if path == "" {
		return nil, nil
	}
	data, err := ReadInput(f, path, "--cacert file")
	if err != nil {
		return nil, err
	}
	pool, err := jwksfetch.CACertPool(data)
	if err != nil {
		return nil, Errorf("--cacert %s: %s", displayPath(path), err).
			WithHint("give the CA certificate in PEM (-----BEGIN CERTIFICATE-----)")
	}
	return pool, nil
}
