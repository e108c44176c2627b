"""Gets a token with Authlib's OAuth2Session and PrivateKeyJWT client
authentication (client_credentials), as an application would, and prints
one JSON line per attempt: {"ok": true, ...} or the server's error.

python3 authlib_client.py --token-url URL --client-id ID --key PEM --kid KID
    [--aud URL] [--alg RS384] [--jti JTI] [--times N] [--lifetime S]
"""
import argparse
import json
import time

from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from authlib.jose import JsonWebKey
from authlib.oauth2.rfc7523 import PrivateKeyJWT


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--token-url", required=True)
    p.add_argument("--client-id", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--kid", required=True)
    p.add_argument("--aud")
    p.add_argument("--alg", default="RS384")
    p.add_argument("--jti")
    p.add_argument("--times", type=int, default=1)
    p.add_argument("--lifetime", type=int, help="exp - iat in seconds (Authlib's default is 3600)")
    a = p.parse_args()

    with open(a.key) as f:
        pem = f.read()
    kty = "EC" if a.alg.startswith("ES") else "RSA"
    jwk = JsonWebKey.import_key(pem, {"kty": kty, "kid": a.kid}).as_dict(is_private=True)

    session = OAuth2Session(a.client_id, jwk, token_endpoint_auth_method="private_key_jwt")
    for _ in range(a.times):
        claims = {}
        if a.jti:
            claims["jti"] = a.jti
        if a.lifetime:
            claims["exp"] = int(time.time()) + a.lifetime
        # token_endpoint is the aud Authlib signs; by default it is the URL posted to.
        session.register_client_auth_method(PrivateKeyJWT(token_endpoint=a.aud, claims=claims or None, alg=a.alg))
        try:
            token = session.fetch_token(a.token_url, grant_type="client_credentials")
            print(json.dumps({"ok": True, "token_type": token.get("token_type"),
                              "has_access_token": bool(token.get("access_token"))}))
        except OAuthError as e:
            print(json.dumps({"ok": False, "error": e.error, "error_description": e.description}))


if __name__ == "__main__":
    main()
