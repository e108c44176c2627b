curl --request POST \
  --url 'https://auth.example.com/oauth2/token' \
  --header 'content-type: application/x-www-form-urlencoded' \
  --data grant_type=client_credentials \
  --data-urlencode 'client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer' \
  --data-urlencode "client_assertion=${CLIENT_ASSERTION}" \
  --data-urlencode '=scope=system/*.read' \
  --data-urlencode client_id@client_id.txt
