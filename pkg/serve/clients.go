package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/clientassert/clientassert/pkg/jwksfetch"
	"github.com/clientassert/clientassert/pkg/keys"
	"github.com/clientassert/clientassert/pkg/profile"
)

// ClientSpec is one entry of a --clients file. JWKS is either the key set
// itself (a JSON object) or the path of a file holding it, relative to the
// clients file.
type ClientSpec struct {
	ClientID string          `json:"client_id"`
	JWKS     json.RawMessage `json:"jwks,omitempty"`
	JWKSURI  string          `json:"jwks_uri,omitempty"`
	Profile  string          `json:"profile,omitempty"`
}

// Client is a registered client: its profile and where its keys come from.
type Client struct {
	ID      string
	Profile profile.Profile
	static  *keys.Set
	remote  *remoteKeys
}

// Keys returns the client's key set as the server would hold it now: a
// jwks_uri set is fetched again once its cache lifetime has passed.
func (c *Client) Keys(ctx context.Context) (*keys.Set, error) {
	if c.remote == nil {
		return c.static, nil
	}
	return c.remote.get(ctx)
}

// Registry is the set of registered clients, read once and replaced whole
// on reload.
type Registry struct {
	clients map[string]*Client
	ids     []string
}

// Lookup finds a client by client_id.
func (r *Registry) Lookup(id string) (*Client, bool) {
	c, ok := r.clients[id]
	return c, ok
}

// IDs lists the client_ids, sorted.
func (r *Registry) IDs() []string { return r.ids }

// Profiles lists the distinct profiles the clients use.
func (r *Registry) profiles() []profile.Profile {
	seen := map[string]bool{}
	var out []profile.Profile
	for _, id := range r.ids {
		p := r.clients[id].Profile
		if !seen[p.Name] {
			seen[p.Name] = true
			out = append(out, p)
		}
	}
	return out
}

// Loader reads client registrations. ProfileFor resolves a profile name
// ("" meaning the default) with the token URL serve expects as aud.
type Loader struct {
	ProfileFor func(name string) (profile.Profile, error)
	Fetch      jwksfetch.Options
	// Clock is the wall clock for cache lifetimes, never a frozen --now.
	Clock func() time.Time
}

const maxClientsFile = 4 << 20

// LoadFile reads a --clients file.
func (l Loader) LoadFile(ctx context.Context, path string) (*Registry, error) {
	data, err := readCapped(path, maxClientsFile)
	if err != nil {
		return nil, err
	}
	var specs []ClientSpec
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&specs); err != nil {
		return nil, fmt.Errorf("clients file %s: %s", path, jsonError(err))
	}
	if dec.More() {
		return nil, fmt.Errorf("clients file %s: unexpected data after the JSON array", path)
	}
	return l.build(ctx, specs, filepath.Dir(path), false)
}

// Single registers one client whose key set is a file or an https URL.
func (l Loader) Single(ctx context.Context, clientID, jwks string) (*Registry, error) {
	spec := ClientSpec{ClientID: clientID}
	if jwksfetch.IsURL(jwks) {
		spec.JWKSURI = jwks
	} else {
		quoted, _ := json.Marshal(jwks)
		spec.JWKS = quoted
	}
	return l.build(ctx, []ClientSpec{spec}, ".", true)
}

// build registers specs; single leaves the client out of error messages,
// since the user named only one.
func (l Loader) build(ctx context.Context, specs []ClientSpec, dir string, single bool) (*Registry, error) {
	reg := &Registry{clients: map[string]*Client{}}
	for i, s := range specs {
		where := fmt.Sprintf("client %d", i+1)
		if s.ClientID == "" {
			return nil, fmt.Errorf("%s has no client_id", where)
		}
		where = fmt.Sprintf("client %q", s.ClientID)
		about := func(err error) error {
			if single {
				return err
			}
			return fmt.Errorf("%s: %v", where, err)
		}
		if _, dup := reg.clients[s.ClientID]; dup {
			return nil, fmt.Errorf("%s is registered twice", where)
		}
		hasJWKS := len(s.JWKS) > 0 && string(s.JWKS) != "null"
		if hasJWKS == (s.JWKSURI != "") {
			return nil, fmt.Errorf("%s needs exactly one of jwks and jwks_uri", where)
		}
		p, err := l.ProfileFor(s.Profile)
		if err != nil {
			return nil, about(err)
		}
		c := &Client{ID: s.ClientID, Profile: p}
		if hasJWKS {
			if c.static, err = loadJWKS(s.JWKS, dir); err != nil {
				return nil, about(err)
			}
		} else {
			c.remote = &remoteKeys{url: s.JWKSURI, opts: l.Fetch, clock: l.clock()}
			if _, err := c.remote.get(ctx); err != nil {
				return nil, about(fmt.Errorf("jwks_uri %s: %v", s.JWKSURI, err))
			}
		}
		reg.clients[s.ClientID] = c
		reg.ids = append(reg.ids, s.ClientID)
	}
	sort.Strings(reg.ids)
	return reg, nil
}

func (l Loader) clock() func() time.Time {
	if l.Clock != nil {
		return l.Clock
	}
	return time.Now
}

// loadJWKS reads an inline key set, or the file a JSON string names.
func loadJWKS(raw json.RawMessage, dir string) (*keys.Set, error) {
	data := []byte(raw)
	var path string
	if json.Unmarshal(raw, &path) == nil {
		if !filepath.IsAbs(path) {
			path = filepath.Join(dir, path)
		}
		var err error
		if data, err = readCapped(path, jwksfetch.DefaultMaxBytes); err != nil {
			return nil, err
		}
	}
	set, err := keys.Parse(data)
	if err != nil {
		if path != "" {
			return nil, fmt.Errorf("key set %s: %v", path, err)
		}
		return nil, fmt.Errorf("key set: %v", err)
	}
	return set, nil
}

func readCapped(path string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%s: no such file", path)
		}
		return nil, fmt.Errorf("cannot read %s: %v", path, errors.Unwrap(err))
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %v", path, errors.Unwrap(err))
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("%s is larger than %d bytes", path, max)
	}
	return data, nil
}

func jsonError(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("invalid JSON at byte %d: %v", syn.Offset, syn)
	case errors.As(err, &typ):
		return fmt.Sprintf("expected a JSON array of {\"client_id\", \"jwks\" | \"jwks_uri\", \"profile\"?} objects (%s has the wrong type)", orTop(typ.Field))
	case errors.Is(err, io.EOF):
		return "the file is empty"
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}

func orTop(field string) string {
	if field == "" {
		return "the top level"
	}
	return field
}

// Cache lifetimes for a fetched key set: Cache-Control max-age when the
// client's server sends one (as SMART asks), otherwise defaultKeyTTL. A
// failed refetch keeps the last good set and is not retried for retryAfter.
const (
	defaultKeyTTL = 5 * time.Minute
	maxKeyTTL     = 24 * time.Hour
	retryAfter    = 30 * time.Second
)

type remoteKeys struct {
	url   string
	opts  jwksfetch.Options
	clock func() time.Time

	mu        sync.Mutex
	set       *keys.Set
	freshTill time.Time
	lastTry   time.Time
}

func (r *remoteKeys) get(ctx context.Context) (*keys.Set, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.clock()
	if r.set != nil && now.Before(r.freshTill) {
		return r.set, nil
	}
	if r.set != nil && now.Sub(r.lastTry) < retryAfter {
		return r.set, nil
	}
	r.lastTry = now
	res, err := jwksfetch.Fetch(ctx, r.url, r.opts)
	if err != nil {
		if r.set != nil {
			return r.set, nil
		}
		return nil, err
	}
	r.set = res.Set
	r.freshTill = now.Add(cacheTTL(res.CacheControl))
	return r.set, nil
}

// cacheTTL reads max-age from a Cache-Control value; no-store and no-cache
// mean a fetch for every request that needs the keys.
func cacheTTL(cacheControl string) time.Duration {
	for _, d := range strings.Split(cacheControl, ",") {
		d = strings.ToLower(strings.TrimSpace(d))
		switch {
		case d == "no-store" || d == "no-cache":
			return 0
		case strings.HasPrefix(d, "max-age="):
			n, err := strconv.Atoi(strings.Trim(d[len("max-age="):], `"`))
			if err != nil || n < 0 {
				return defaultKeyTTL
			}
			ttl := time.Duration(n) * time.Second
			if ttl > maxKeyTTL {
				ttl = maxKeyTTL
			}
			return ttl
		}
	}
	return defaultKeyTTL
}

// NewClient registers a client with a fixed key set.
func NewClient(id string, p profile.Profile, set *keys.Set) *Client {
	return &Client{ID: id, Profile: p, static: set}
}

// NewRegistry holds the given clients; a later one with the same client_id
// replaces an earlier one.
func NewRegistry(clients ...*Client) *Registry {
	reg := &Registry{clients: map[string]*Client{}}
	for _, c := range clients {
		if _, dup := reg.clients[c.ID]; !dup {
			reg.ids = append(reg.ids, c.ID)
		}
		reg.clients[c.ID] = c
	}
	sort.Strings(reg.ids)
	return reg
}
