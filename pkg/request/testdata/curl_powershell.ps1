curl.exe -X POST 'https://auth.example.com/v2/auth/token' `
  -H 'Content-Type: application/x-www-form-urlencoded' `
  --data-urlencode "client_assertion=$assertion" `
  -d 'grant_type=client_credentials' `
  -d "client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer"
