curl.exe -X POST "https://auth.example.com/v2/auth/token" ^
  -H "Content-Type: application/x-www-form-urlencoded" ^
  -d "grant_type=client_credentials&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer" ^
  --data-urlencode "client_assertion=eyJhbGciOiJSUzM4NCJ9.eyJpc3MiOiJhcHAifQ.c2ln" ^
  -H "Accept: application/json"
