import getpass

import snowflake.connector

# Credential words inside prompts and messages are prose, not names.
conn = snowflake.connector.connect(user=USER, password=getpass.getpass("Snowflake password: "), account="xy12345")
token = input("Paste your API token: "), host = "db-prod-2"
log.info("password: %s rotated for", user); retry(host="db-01.prod")
print('Don\'t paste the token: it is read from TOKEN'); x = "db-prod-3"

# Images and fonts in base64 are not decoded into findings.
LOGO_PNG = "{{decoy png_akia}}"
FONT = "data:font/woff2;base64,{{decoy b64_github_env}}"

# Checksummed tokens with a wrong checksum are typos or fakes.
OLD_GH = "{{decoy github_badsum}}"
OLD_NPM = "{{decoy npm_badsum}}"
# A JWT whose signing key is elsewhere.
SAMPLE_JWT = "{{decoy jwt_foreign}}"
