// Command hydra is a test-only token endpoint: ory/fosite v0.49.0 set up the
// way Ory Hydra v2.3.0 sets it up for its /oauth2/token endpoint, with one
// private_key_jwt client. clientassert's differential tests start it on
// 127.0.0.1 and compare its answers with the hydra profile.
//
// It reads one JSON object on stdin:
//
//	{"port":0,"client_id":"...","jwks":{"keys":[...]},"alg":"RS384"}
//
// alg is the client's token_endpoint_auth_signing_alg; Hydra fills in RS256
// when a client registers none. It prints one JSON object a line on stdout:
// {"ready":true,...} once listening, then, for every request carrying an
// X-Realserver-Request header, what Hydra would log about the answer (the
// hint and debug text the client does not see). The header is never read by
// the endpoint and the side channel never changes a response byte.
package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/go-jose/go-jose/v3"
	"github.com/ory/fosite"
	"github.com/ory/fosite/compose"
	"github.com/ory/fosite/storage"
)

type config struct {
	Port     int             `json:"port"`
	ClientID string          `json:"client_id"`
	JWKS     json.RawMessage `json:"jwks"`
	Alg      string          `json:"alg"`
}

// hydraDefaultAlg is what Hydra's client validator stores for a
// private_key_jwt client registered without token_endpoint_auth_signing_alg.
const hydraDefaultAlg = "RS256"

var stdout sync.Mutex

func line(v any) {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	stdout.Lock()
	defer stdout.Unlock()
	os.Stdout.Write(append(b, '\n'))
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "hydra test server:", err)
		os.Exit(1)
	}
}

func run() error {
	raw, err := io.ReadAll(os.Stdin)
	if err != nil {
		return err
	}
	var cfg config
	if err := json.Unmarshal(raw, &cfg); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(cfg.JWKS, &set); err != nil {
		// Hydra refuses to register a client whose jwks go-jose cannot read.
		return fmt.Errorf("client jwks: %w", err)
	}
	if cfg.Alg == "" {
		cfg.Alg = hydraDefaultAlg
	}

	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", cfg.Port))
	if err != nil {
		return err
	}
	base := "http://" + ln.Addr().String()
	issuer := base + "/"
	tokenURL := base + "/oauth2/token"

	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return err
	}
	fc := &fosite.Config{
		// Hydra: GetTokenURLs is the public URL + /oauth2/token, and nothing else.
		TokenURL:                   tokenURL,
		AccessTokenLifespan:        time.Hour,
		RefreshTokenLifespan:       720 * time.Hour,
		AuthorizeCodeLifespan:      10 * time.Minute,
		GlobalSecret:               secret,
		ScopeStrategy:              fosite.ExactScopeStrategy,
		AudienceMatchingStrategy:   fosite.DefaultAudienceMatchingStrategy,
		SendDebugMessagesToClients: false,
		UseLegacyErrorFormat:       false,
	}
	store := storage.NewMemoryStore()
	store.Clients[cfg.ClientID] = &fosite.DefaultOpenIDConnectClient{
		DefaultClient: &fosite.DefaultClient{
			ID:            cfg.ClientID,
			GrantTypes:    []string{"client_credentials"},
			ResponseTypes: []string{"code"},
			Scopes:        []string{"offline_access", "offline", "openid"},
			Audience:      []string{},
		},
		JSONWebKeys:                       &set,
		TokenEndpointAuthMethod:           "private_key_jwt",
		TokenEndpointAuthSigningAlgorithm: cfg.Alg,
	}
	provider := compose.Compose(fc, store, compose.NewOAuth2HMACStrategy(fc),
		compose.OAuth2AuthorizeExplicitFactory,
		compose.OAuth2ClientCredentialsGrantFactory,
		compose.OAuth2RefreshTokenGrantFactory,
		compose.OAuth2PKCEFactory,
	)

	mux := http.NewServeMux()
	mux.HandleFunc("/oauth2/token", func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Realserver-Request")
		ctx := r.Context()
		session := &fosite.DefaultSession{}
		ar, err := provider.NewAccessRequest(ctx, r, session)
		if err != nil {
			note(id, err)
			provider.WriteAccessError(ctx, w, ar, err)
			return
		}
		if ar.GetGrantTypes().ExactOne("client_credentials") {
			session.Subject = ar.GetClient().GetID()
			for _, scope := range ar.GetRequestedScopes() {
				if fc.GetScopeStrategy(ctx)(ar.GetClient().GetScopes(), scope) {
					ar.GrantScope(scope)
				}
			}
		}
		resp, err := provider.NewAccessResponse(ctx, ar)
		if err != nil {
			note(id, err)
			provider.WriteAccessError(ctx, w, ar, err)
			return
		}
		if id != "" {
			line(map[string]any{"request": id, "status": http.StatusOK})
		}
		provider.WriteAccessResponse(ctx, w, ar, resp)
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}

	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	line(map[string]any{"ready": true, "url": base, "issuer": issuer, "token_url": tokenURL})

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, os.Interrupt)
	select {
	case err := <-done:
		return err
	case <-sig:
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return srv.Shutdown(ctx)
	}
}

// note writes what Hydra logs for a refused request: the error as fosite
// renders it, and the hint and debug text kept in the log.
func note(id string, err error) {
	if id == "" {
		return
	}
	rfc := fosite.ErrorToRFC6749Error(err)
	line(map[string]any{
		"request":           id,
		"status":            rfc.StatusCode(),
		"error":             rfc.ErrorField,
		"error_description": rfc.GetDescription(),
		"error_hint":        rfc.HintField,
		"error_debug":       rfc.DebugField,
		"cause":             err.Error(),
	})
}
