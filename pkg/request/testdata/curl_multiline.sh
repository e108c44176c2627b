$ curl -sS -X POST https://auth.example.com/v2/auth/token \
    -H 'Accept: application/json' \
    -H "Content-Type: application/x-www-form-urlencoded" \
    -d 'grant_type=client_credentials' \
    -d "scope=system/Patient.rs" \
    --data-raw $'client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer' \
    -d "client_assertion=eyJhbGciOiJSUzM4NCIsImtpZCI6ImtleS0xIn0.eyJpc3MiOiJhcHAifQ.c2ln" | jq .
