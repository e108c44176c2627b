// Package jwks implements "clientassert keys jwks".
package jwks

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/clientassert/clientassert/pkg/cmd/keys/internal/keyfile"
	"github.com/clientassert/clientassert/pkg/cmdutil"
	"github.com/clientassert/clientassert/pkg/iostreams"
	"github.com/clientassert/clientassert/pkg/keys"
)

type JWKSOptions struct {
	IO      *iostreams.IOStreams
	Factory *cmdutil.Factory

	Files []string
	KIDs  []string
}

func NewCmdJWKS(f *cmdutil.Factory, runF func(*JWKSOptions) error) *cobra.Command {
	opts := &JWKSOptions{IO: f.IOStreams, Factory: f}
	cmd := &cobra.Command{
		Use:   "jwks <key>...",
		Short: "Turn key files into one public JWKS",
		Long: strings.TrimSpace(`
Read any number of key files and print one JWKS on stdout holding the public
half of every key in them.

Inputs may be PEM (PKCS#1, PKCS#8, SEC1, SPKI, X.509 certificates; several
blocks per file), JWKs or JWKSs, private or public; pass - for stdin. The
output never holds private members. A key without a kid gets its RFC 7638
thumbprint as kid, and a key without use gets use "sig". The same key given
twice is written once. Keys sharing a kid are kept, with a warning on stderr.

--kid sets the kid of the keys read, one --kid per key in the order the keys
are read (file by file, block by block), replacing any kid they had.`),
		Example: `  $ clientassert keys jwks key.pem > jwks.json
  $ clientassert keys jwks current.pem next.pem cert.pem > jwks.json
  $ clientassert keys jwks key.pem --kid 2026-01 > jwks.json
  $ clientassert keys jwks current.pem next.pem --kid current --kid next > jwks.json
  $ cat private.jwk | clientassert keys jwks -`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return cmdutil.Errorf("no key files given").WithHint("usage: clientassert keys jwks <key>...")
			}
			if n := countStdin(args); n > 1 {
				return cmdutil.Errorf("stdin (-) given %d times", n).WithHint("pass - at most once")
			}
			opts.Files = args
			if slices.Contains(opts.KIDs, "") {
				return cmdutil.Errorf("--kid is empty").WithHint("give each key a non-empty kid, or leave --kid out to use thumbprints")
			}
			if runF != nil {
				return runF(opts)
			}
			return jwksRun(opts)
		},
	}
	cmd.Flags().StringArrayVar(&opts.KIDs, "kid", nil, "Kid of the next key read (repeat: one per key, in order)")
	return cmd
}

func countStdin(args []string) int {
	n := 0
	for _, a := range args {
		if a == "-" {
			n++
		}
	}
	return n
}

// entry is one output key and where it came from, for messages.
type entry struct {
	jwk    map[string]any
	kid    string
	thumb  string
	origin string
}

// readKey is one key read, with where it came from.
type readKey struct {
	key    *keys.Key
	origin string
}

func jwksRun(opts *JWKSOptions) error {
	var read []readKey
	for _, path := range opts.Files {
		set, err := keyfile.Load(opts.Factory, path, "key")
		if err != nil {
			return err
		}
		for _, k := range set.Keys {
			origin := keyfile.Name(path)
			if len(set.Keys) > 1 {
				origin = fmt.Sprintf("%s key %d", origin, k.Index)
			}
			read = append(read, readKey{key: k, origin: origin})
		}
	}
	if len(opts.KIDs) > 0 && len(opts.KIDs) != len(read) {
		return cmdutil.Errorf("%d --kid given for %d keys", len(opts.KIDs), len(read)).
			WithHint("give one --kid per key, in the order the keys are read")
	}

	var out []entry
	for i, r := range read {
		k, origin := r.key, r.origin
		if len(opts.KIDs) > 0 {
			named := *k
			named.KID = opts.KIDs[i]
			k = &named
		}
		e, err := publicEntry(k, origin)
		if err != nil {
			return err
		}
		if j := slices.IndexFunc(out, func(o entry) bool { return o.thumb == e.thumb && o.kid == e.kid }); j >= 0 {
			fmt.Fprintf(opts.IO.ErrOut, "clientassert: note: %s is the same key as %s; written once\n", origin, out[j].origin)
			continue
		}
		out = append(out, e)
	}

	warnDuplicates(opts.IO, out)

	list := make([]map[string]any, len(out))
	for i, e := range out {
		list[i] = e.jwk
	}
	data, err := keys.EncodeJWKS(list)
	if err != nil {
		return err
	}
	_, err = opts.IO.Out.Write(data)
	return err
}

func publicEntry(k *keys.Key, origin string) (entry, error) {
	switch {
	case k.Kty == "oct":
		return entry{}, cmdutil.Errorf("%s is a shared secret (oct); a JWKS holds public keys only", origin).
			WithHint("leave it out: HS* secrets are never published")
	case k.Public == nil:
		return entry{}, cmdutil.Errorf("%s (%s) is not a key this tool can publish", origin, k.Describe()).
			WithHint("use RSA or EC P-256/P-384/P-521 keys")
	}
	thumb, err := keys.Thumbprint(k)
	if err != nil {
		return entry{}, cmdutil.Errorf("%s: %s", origin, err)
	}
	pub := *k
	if pub.KID == "" {
		pub.KID = thumb
	}
	if pub.Use == "" {
		pub.Use = "sig"
	}
	if k.HasPrivate && pub.KeyOps != nil {
		// The private key's "sign" is the public key's "verify".
		var ops []string
		for _, op := range pub.KeyOps {
			if op == "sign" {
				op = "verify"
			}
			if !slices.Contains(ops, op) {
				ops = append(ops, op)
			}
		}
		pub.KeyOps = ops
	}
	return entry{jwk: pub.PublicJWK(), kid: pub.KID, thumb: thumb, origin: origin}, nil
}

func warnDuplicates(io *iostreams.IOStreams, out []entry) {
	byKID := map[string][]string{}
	var order []string
	for _, e := range out {
		if len(byKID[e.kid]) == 0 {
			order = append(order, e.kid)
		}
		byKID[e.kid] = append(byKID[e.kid], e.origin)
	}
	cs := io.ColorScheme()
	for _, kid := range order {
		if from := byKID[kid]; len(from) > 1 {
			fmt.Fprintf(io.ErrOut, "clientassert: %s: kid %q is used by %d different keys (%s); the server cannot tell them apart\n",
				cs.Yellow("warning"), kid, len(from), strings.Join(from, ", "))
			fmt.Fprintln(io.ErrOut, "hint: give each key its own kid, or drop the kid from JWK inputs to use thumbprints")
		}
	}
}
