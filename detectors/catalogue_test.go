package detectors

import (
	"strings"

	"github.com/rolecall/rolecall/detectors/testsecrets"
)

// catalogue holds a true and a false case for each rule of the token
// catalogue. The false case is the token cut short ({{cut KIND}}), made
// invalid by one changed character ({{flip KIND}}: a broken checksum or
// payload), or a near miss written out.
var catalogue = []struct{ rule, kind, path, line, neg string }{
	{"gitlab-pat", "gitlab_pat", "a.py", "GITLAB_TOKEN = \"{{fake gitlab_pat}}\"", "x = \"{{cut gitlab_pat}}\""},
	{"gitlab-deploy-token", "gitlab_deploy_token", "a.py", "deploy_token: {{fake gitlab_deploy_token}}", "x = \"{{cut gitlab_deploy_token}}\""},
	{"gitlab-runner-token", "gitlab_runner_token", "a.py", "  token = \"{{fake gitlab_runner_token}}\"", "x = \"{{cut gitlab_runner_token}}\""},
	{"gitlab-ci-job-token", "gitlab_ci_job_token", "a.env", "CI_JOB_TOKEN={{fake gitlab_ci_job_token}}", "x = \"{{cut gitlab_ci_job_token}}\""},
	{"gitlab-pipeline-trigger-token", "gitlab_pipeline_trigger_token", "a.py", "curl -F token={{fake gitlab_pipeline_trigger_token}} -F ref=main", "x = \"{{cut gitlab_pipeline_trigger_token}}\""},
	{"gitlab-other-token", "gitlab_other_token", "a.py", "scim_token = \"{{fake gitlab_other_token}}\"", "x = \"{{cut gitlab_other_token}}\""},
	{"npm-access-token", "npm_access_token", "a.py", "//registry.npmjs.org/:_authToken={{fake npm_access_token}}", "x = \"{{flip npm_access_token}}\""},
	{"pypi-upload-token", "pypi_upload_token", "a.py", "password = {{fake pypi_upload_token}}", "x = \"{{flip pypi_upload_token}}\""},
	{"dockerhub-token", "dockerhub_token", "a.py", "echo {{fake dockerhub_token}} | docker login -u me --password-stdin", "x = \"{{cut dockerhub_token}}\""},
	{"docker-config-auth", "docker_config_auth", "config.json", "{\"auths\": {\"registry.example.io\": {\"auth\": \"{{fake docker_config_auth}}\"}}}", "{\"auths\": {\"r.io\": {\"auth\": \"{{decoy docker_auth_nopass}}\"}}}"},
	{"huggingface-org-token", "huggingface_org_token", "a.py", "HF_ORG_TOKEN = \"{{fake huggingface_org_token}}\"", "x = \"{{cut huggingface_org_token}}\""},
	{"google-api-key", "google_api_key", "a.py", "genai.configure(api_key=\"{{fake google_api_key}}\")", "x = \"{{cut google_api_key}}\""},
	{"google-oauth-client-secret", "google_oauth_client_secret", "a.py", "\"client_secret\": \"{{fake google_oauth_client_secret}}\"", "x = \"{{cut google_oauth_client_secret}}\""},
	{"google-oauth-refresh-token", "google_oauth_refresh_token", "a.py", "\"refresh_token\": \"{{fake google_oauth_refresh_token}}\"", "x = \"1//0{{cut google_oauth_refresh_token}}\""},
	{"google-oauth-access-token", "google_oauth_access_token", "a.py", "Authorization: Bearer {{fake google_oauth_access_token}}", "x = \"ya29.short\""},
	{"azure-ad-client-secret", "azure_ad_client_secret", "a.env", "AZURE_CLIENT_SECRET={{fake azure_ad_client_secret}}", "x = \"{{cut azure_ad_client_secret}}\""},
	{"azure-sas-token", "azure_sas_token", "a.py", "url = \"https://acct.blob.core.windows.net/data/x.csv?sv=2022-11-02&ss=b&srt=o&sp=r&se=2030-01-01T00:00:00Z&sig={{fake azure_sas_token}}\"", "url = \"https://acct.blob.core.windows.net/data/x.csv?sv=2022-11-02&sig={{cut azure_sas_token}}\""},
	{"azure-ai-services-key", "azure_ai_services_key", "a.py", "AZURE_OPENAI_API_KEY = \"{{fake azure_ai_services_key}}\"", "azure_openai_endpoint = \"https://x.openai.azure.com/\""},
	{"azure-devops-pat", "azure_devops_pat", "a.env", "AZURE_DEVOPS_PAT={{fake azure_devops_pat}}", "azure_devops_org = \"{{cut azure_devops_pat}}\""},
	{"alibaba-access-key-id", "alibaba_access_key_id", "a.py", "access_key_id = \"{{fake alibaba_access_key_id}}\"", "x = \"{{cut alibaba_access_key_id}}\""},
	{"tencent-secret-id", "tencent_secret_id", "a.py", "SecretId = \"{{fake tencent_secret_id}}\"", "x = \"{{cut tencent_secret_id}}\""},
	{"ibm-cloud-api-key", "ibm_cloud_api_key", "a.env", "IBM_CLOUD_API_KEY={{fake ibm_cloud_api_key}}", "ibm_cloud_region = \"{{cut ibm_cloud_api_key}}\""},
	{"digitalocean-token", "digitalocean_token", "a.env", "DIGITALOCEAN_TOKEN={{fake digitalocean_token}}", "x = \"{{cut digitalocean_token}}\""},
	{"heroku-api-key", "heroku_api_key", "a.env", "HEROKU_API_KEY={{fake heroku_api_key}}", "x = \"{{cut heroku_api_key}}\""},
	{"cloudflare-api-token", "cloudflare_api_token", "a.env", "CLOUDFLARE_API_TOKEN={{fake cloudflare_api_token}}", "cloudflare_zone = \"{{cut cloudflare_api_token}}\""},
	{"cloudflare-origin-ca-key", "cloudflare_origin_ca_key", "a.py", "origin_ca_key = \"{{fake cloudflare_origin_ca_key}}\"", "x = \"{{cut cloudflare_origin_ca_key}}\""},
	{"cloudflare-tunnel-token", "cloudflare_tunnel_token", "a.py", "cloudflared tunnel run --token {{fake cloudflare_tunnel_token}}", "cloudflared tunnel run --token {{flip cloudflare_tunnel_token}}"},
	{"datadog-api-key", "datadog_api_key", "a.env", "DD_API_KEY={{fake datadog_api_key}}", "dd_api_url = \"{{cut datadog_api_key}}\""},
	{"new-relic-key", "new_relic_key", "a.env", "NEW_RELIC_API_KEY={{fake new_relic_key}}", "x = \"{{cut new_relic_key}}\""},
	{"sentry-org-token", "sentry_org_token", "a.env", "SENTRY_AUTH_TOKEN={{fake sentry_org_token}}", "x = \"{{flip sentry_org_token}}\""},
	{"sentry-user-token", "sentry_user_token", "a.env", "SENTRY_AUTH_TOKEN={{fake sentry_user_token}}", "x = \"{{cut sentry_user_token}}\""},
	{"grafana-cloud-token", "grafana_cloud_token", "a.env", "GRAFANA_CLOUD_TOKEN={{fake grafana_cloud_token}}", "x = \"{{flip grafana_cloud_token}}\""},
	{"grafana-service-account-token", "grafana_service_account_token", "a.env", "GRAFANA_TOKEN={{fake grafana_service_account_token}}", "x = \"{{cut grafana_service_account_token}}\""},
	{"grafana-api-key", "grafana_api_key", "a.py", "headers = {\"Authorization\": \"Bearer {{fake grafana_api_key}}\"}", "headers = {\"Authorization\": \"Bearer {{flip grafana_api_key}}\"}"},
	{"vault-token", "vault_token", "a.env", "VAULT_TOKEN={{fake vault_token}}", "x = \"hvs.{{cut vault_token}}\""},
	{"terraform-cloud-token", "terraform_cloud_token", "a.py", "token = \"{{fake terraform_cloud_token}}\"", "x = \"{{cut terraform_cloud_token}}\""},
	{"doppler-token", "doppler_token", "a.env", "DOPPLER_TOKEN={{fake doppler_token}}", "x = \"dp.pt.{{cut doppler_token}}\""},
	{"twilio-credential", "twilio_credential", "a.py", "TWILIO_AUTH_TOKEN = \"{{fake twilio_credential}}\"", "twilio_region = \"{{cut twilio_credential}}\""},
	{"sendgrid-api-key", "sendgrid_api_key", "a.env", "SENDGRID_API_KEY={{fake sendgrid_api_key}}", "x = \"{{cut sendgrid_api_key}}\""},
	{"mailgun-api-key", "mailgun_api_key", "a.py", "MAILGUN_API_KEY = \"{{fake mailgun_api_key}}\"", "mailgun_domain = \"{{cut mailgun_api_key}}\""},
	{"mapbox-secret-token", "mapbox_secret_token", "a.env", "MAPBOX_DOWNLOADS_TOKEN={{fake mapbox_secret_token}}", "x = \"{{flip mapbox_secret_token}}\""},
	{"shopify-token", "shopify_token", "a.env", "SHOPIFY_ACCESS_TOKEN={{fake shopify_token}}", "x = \"{{cut shopify_token}}\""},
	{"atlassian-api-token", "atlassian_api_token", "a.env", "JIRA_API_TOKEN={{fake atlassian_api_token}}", "x = \"{{cut atlassian_api_token}}\""},
	{"bitbucket-app-password", "bitbucket_app_password", "a.env", "BITBUCKET_APP_PASSWORD={{fake bitbucket_app_password}}", "x = \"ATBB{{cut bitbucket_app_password}}\""},
	{"notion-token", "notion_token", "a.env", "NOTION_TOKEN={{fake notion_token}}", "x = \"ntn_{{cut notion_token}}\""},
	{"linear-api-key", "linear_api_key", "a.env", "LINEAR_API_KEY={{fake linear_api_key}}", "x = \"{{cut linear_api_key}}\""},
	{"postman-api-key", "postman_api_key", "a.env", "POSTMAN_API_KEY={{fake postman_api_key}}", "x = \"{{cut postman_api_key}}\""},
	{"snowflake-oauth-secret", "snowflake_oauth_secret", "a.py", "SNOWFLAKE_OAUTH_CLIENT_SECRET = \"{{fake snowflake_oauth_secret}}\"", "snowflake_account = \"xy12345.eu-west-1\""},
	{"databricks-oauth-secret", "databricks_oauth_secret", "a.env", "DATABRICKS_CLIENT_SECRET={{fake databricks_oauth_secret}}", "x = \"{{cut databricks_oauth_secret}}\""},
	{"pinecone-api-key", "pinecone_api_key", "a.py", "pc = Pinecone(api_key=\"{{fake pinecone_api_key}}\")", "x = \"pcsk_{{cut pinecone_api_key}}\""},
	{"cohere-api-key", "cohere_api_key", "a.py", "co = cohere.Client(\"{{fake cohere_api_key}}\")", "cohere_model = \"{{cut cohere_api_key}}\""},
	{"replicate-api-token", "replicate_api_token", "a.env", "REPLICATE_API_TOKEN={{fake replicate_api_token}}", "x = \"{{cut replicate_api_token}}\""},
	{"groq-api-key", "groq_api_key", "a.py", "client = Groq(api_key=\"{{fake groq_api_key}}\")", "x = \"{{cut groq_api_key}}\""},
	{"mistral-api-key", "mistral_api_key", "a.py", "MISTRAL_API_KEY = \"{{fake mistral_api_key}}\"", "mistral_model = \"{{cut mistral_api_key}}\""},
	{"together-api-key", "together_api_key", "a.py", "TOGETHER_API_KEY = \"{{fake together_api_key}}\"", "together_model = \"{{cut together_api_key}}\""},
	{"perplexity-api-key", "perplexity_api_key", "a.env", "PERPLEXITY_API_KEY={{fake perplexity_api_key}}", "x = \"{{cut perplexity_api_key}}\""},
	{"langsmith-api-key", "langsmith_api_key", "a.env", "LANGCHAIN_API_KEY={{fake langsmith_api_key}}", "x = \"{{cut langsmith_api_key}}\""},
	{"langfuse-secret-key", "langfuse_secret_key", "a.env", "LANGFUSE_SECRET_KEY={{fake langfuse_secret_key}}", "x = \"{{cut langfuse_secret_key}}\""},
	{"confluent-api-secret", "confluent_api_secret", "a.env", "CONFLUENT_CLOUD_API_SECRET={{fake confluent_api_secret}}", "confluent_cluster = \"{{cut confluent_api_secret}}\""},
	{"mongodb-atlas-key", "mongodb_atlas_key", "a.env", "MONGODB_ATLAS_CLIENT_SECRET={{fake mongodb_atlas_key}}", "x = \"{{cut mongodb_atlas_key}}\""},
	{"supabase-token", "supabase_token", "a.env", "SUPABASE_ACCESS_TOKEN={{fake supabase_token}}", "x = \"{{cut supabase_token}}\""},
	{"vercel-token", "vercel_token", "a.env", "VERCEL_TOKEN={{fake vercel_token}}", "vercel_project = \"{{cut vercel_token}}\""},
	{"netlify-token", "netlify_token", "a.env", "NETLIFY_AUTH_TOKEN={{fake netlify_token}}", "x = \"{{cut netlify_token}}\""},
	{"flyio-token", "flyio_token", "a.env", "FLY_API_TOKEN=\"{{fake flyio_token}}\"", "x = \"FlyV1 fm2_{{cut flyio_token}}\""},
	{"square-token", "square_token", "a.env", "SQUARE_ACCESS_TOKEN={{fake square_token}}", "x = \"{{cut square_token}}\""},
	{"braintree-access-token", "braintree_access_token", "a.env", "BRAINTREE_ACCESS_TOKEN={{fake braintree_access_token}}", "x = \"access_token$production${{cut braintree_access_token}}\""},
	{"age-secret-key", "age_secret_key", "key.txt", "# created: 2024-01-01\n{{fake age_secret_key}}", "{{flip age_secret_key}}"},
	{"pgp-private-key", "pgp_private_key", "key.asc", "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\n{{fake pgp_private_key}}\n-----END PGP PRIVATE KEY BLOCK-----", "-----BEGIN PGP PRIVATE KEY BLOCK-----\n...\n-----END PGP PRIVATE KEY BLOCK-----"},
	{"jwt-hmac-secret", "jwt_hmac_secret", "a.py", "JWT_SECRET = \"{{fake jwt_hmac_secret}}\"\nsample = \"{{fake jwt_signed}}\"", "JWT_ALG = \"HS256\"\nsample = \"{{flip jwt_signed}}\""},
	{"stripe-webhook-secret", "stripe_webhook_secret", "a.env", "STRIPE_WEBHOOK_SECRET={{fake stripe_webhook_secret}}", "x = \"{{cut stripe_webhook_secret}}\""},
	{"amazon-bedrock-api-key", "amazon_bedrock_api_key", "a.env", "AWS_BEARER_TOKEN_BEDROCK={{fake amazon_bedrock_api_key}}", "x = \"{{flip amazon_bedrock_api_key}}\""},
	{"pulumi-access-token", "pulumi_access_token", "a.env", "PULUMI_ACCESS_TOKEN={{fake pulumi_access_token}}", "x = \"{{cut pulumi_access_token}}\""},
	{"buildkite-token", "buildkite_token", "a.env", "BUILDKITE_API_TOKEN={{fake buildkite_token}}", "x = \"{{cut buildkite_token}}\""},
	{"circleci-token", "circleci_token", "a.env", "CIRCLECI_TOKEN={{fake circleci_token}}", "x = \"{{cut circleci_token}}\""},
	{"sonarqube-token", "sonarqube_token", "a.env", "SONAR_TOKEN={{fake sonarqube_token}}", "x = \"{{cut sonarqube_token}}\""},
	{"jfrog-token", "jfrog_token", "a.env", "ARTIFACTORY_API_KEY={{fake jfrog_token}}", "x = \"{{cut jfrog_token}}\""},
	{"okta-api-token", "okta_api_token", "a.env", "OKTA_API_TOKEN={{fake okta_api_token}}", "okta_org = \"{{cut okta_api_token}}\""},
	{"onepassword-service-account-token", "onepassword_service_account_token", "a.env", "OP_SERVICE_ACCOUNT_TOKEN={{fake onepassword_service_account_token}}", "x = \"{{cut onepassword_service_account_token}}\""},
	{"bitwarden-access-token", "bitwarden_access_token", "a.env", "BWS_ACCESS_TOKEN={{fake bitwarden_access_token}}", "bitwarden_org = \"{{cut bitwarden_access_token}}\""},
	{"infisical-token", "infisical_token", "a.env", "INFISICAL_TOKEN={{fake infisical_token}}", "infisical_env = \"{{cut infisical_token}}\""},
	{"discord-webhook", "discord_webhook", "a.py", "requests.post(\"{{fake discord_webhook}}\", json=msg)", "url = \"https://discord.com/api/webhooks/123/abc\""},
	{"discord-bot-token", "discord_bot_token", "a.py", "DISCORD_BOT_TOKEN = \"{{fake discord_bot_token}}\"", "discord_channel = \"{{cut discord_bot_token}}\""},
	{"teams-webhook", "teams_webhook", "a.py", "TEAMS_WEBHOOK = \"{{fake teams_webhook}}\"", "url = \"https://acme.webhook.office.com/webhookb2/\""},
	{"telegram-bot-token", "telegram_bot_token", "a.py", "bot = telebot.TeleBot(\"{{fake telegram_bot_token}}\")", "x = \"{{cut telegram_bot_token}}\""},
	{"mailchimp-api-key", "mailchimp_api_key", "a.env", "MAILCHIMP_API_KEY={{fake mailchimp_api_key}}", "lang = \"en-us\""},
	{"algolia-admin-key", "algolia_admin_key", "a.env", "ALGOLIA_ADMIN_KEY={{fake algolia_admin_key}}", "algolia_app_id = \"{{cut algolia_admin_key}}\""},
	{"contentful-pat", "contentful_pat", "a.env", "CONTENTFUL_MANAGEMENT_TOKEN={{fake contentful_pat}}", "x = \"{{cut contentful_pat}}\""},
	{"figma-pat", "figma_pat", "a.env", "FIGMA_TOKEN={{fake figma_pat}}", "x = \"{{cut figma_pat}}\""},
	{"airtable-pat", "airtable_pat", "a.env", "AIRTABLE_API_KEY={{fake airtable_pat}}", "airtable_base = \"{{cut airtable_pat}}\""},
	{"hubspot-private-app-token", "hubspot_private_app_token", "a.env", "HUBSPOT_ACCESS_TOKEN={{fake hubspot_private_app_token}}", "x = \"{{cut hubspot_private_app_token}}\""},
	{"intercom-access-token", "intercom_access_token", "a.env", "INTERCOM_TOKEN={{fake intercom_access_token}}", "x = \"{{flip intercom_access_token}}\""},
	{"salesforce-access-token", "salesforce_access_token", "a.py", "SF_ACCESS_TOKEN = \"{{fake salesforce_access_token}}\"", "x = \"00D{{cut salesforce_access_token}}\""},
	{"dbt-cloud-token", "dbt_cloud_token", "a.env", "DBT_CLOUD_API_TOKEN={{fake dbt_cloud_token}}", "x = \"dbtc_short\""},
	{"prefect-api-key", "prefect_api_key", "a.env", "PREFECT_API_KEY={{fake prefect_api_key}}", "x = \"{{cut prefect_api_key}}\""},
	{"modal-token-secret", "modal_token_secret", "a.py", "modal token set --token-id ak-{{decoy token}} --token-secret {{fake modal_token_secret}}", "modal_app = \"{{cut modal_token_secret}}\""},
	{"neptune-api-token", "neptune_api_token", "a.env", "NEPTUNE_API_TOKEN={{fake neptune_api_token}}", "x = \"{{cut neptune_api_token}}\""},
	{"elevenlabs-api-key", "elevenlabs_api_key", "a.env", "ELEVENLABS_API_KEY={{fake elevenlabs_api_key}}", "elevenlabs_voice = \"{{cut elevenlabs_api_key}}\""},
	{"deepseek-api-key", "deepseek_api_key", "a.env", "DEEPSEEK_API_KEY={{fake deepseek_api_key}}", "deepseek_model = \"{{cut deepseek_api_key}}\""},
	{"xai-api-key", "xai_api_key", "a.env", "XAI_API_KEY={{fake xai_api_key}}", "x = \"{{cut xai_api_key}}\""},
	{"openrouter-api-key", "openrouter_api_key", "a.env", "OPENROUTER_API_KEY={{fake openrouter_api_key}}", "x = \"{{cut openrouter_api_key}}\""},
	{"nvidia-api-key", "nvidia_api_key", "a.env", "NVIDIA_API_KEY={{fake nvidia_api_key}}", "x = \"{{cut nvidia_api_key}}\""},
	{"cerebras-api-key", "cerebras_api_key", "a.env", "CEREBRAS_API_KEY={{fake cerebras_api_key}}", "x = \"{{cut cerebras_api_key}}\""},
	{"stability-api-key", "stability_api_key", "a.env", "STABILITY_API_KEY={{fake stability_api_key}}", "stability_engine = \"{{cut stability_api_key}}\""},
	{"firebase-fcm-server-key", "firebase_fcm_server_key", "a.env", "FCM_SERVER_KEY={{fake firebase_fcm_server_key}}", "x = \"{{cut firebase_fcm_server_key}}\""},
	{"facebook-access-token", "facebook_access_token", "a.env", "FB_ACCESS_TOKEN={{fake facebook_access_token}}", "x = \"{{cut facebook_access_token}}\""},
	{"shippo-live-token", "shippo_live_token", "a.env", "SHIPPO_API_KEY={{fake shippo_live_token}}", "x = \"{{cut shippo_live_token}}\""},
	{"easypost-api-key", "easypost_api_key", "a.env", "EASYPOST_API_KEY={{fake easypost_api_key}}", "x = \"{{cut easypost_api_key}}\""},
	{"flutterwave-secret-key", "flutterwave_secret_key", "a.env", "FLW_SECRET_KEY={{fake flutterwave_secret_key}}", "x = \"FLWSECK-short-X\""},
	{"brevo-api-key", "brevo_api_key", "a.env", "BREVO_API_KEY={{fake brevo_api_key}}", "x = \"{{cut brevo_api_key}}\""},
	{"resend-api-key", "resend_api_key", "a.env", "RESEND_API_KEY={{fake resend_api_key}}", "x = \"{{cut resend_api_key}}\""},
	{"harness-pat", "harness_pat", "a.env", "HARNESS_API_KEY={{fake harness_pat}}", "x = \"{{cut harness_pat}}\""},
	{"readme-api-key", "readme_api_key", "a.env", "README_API_KEY={{fake readme_api_key}}", "x = \"{{cut readme_api_key}}\""},
	{"sourcegraph-token", "sourcegraph_token", "a.env", "SRC_ACCESS_TOKEN={{fake sourcegraph_token}}", "x = \"{{cut sourcegraph_token}}\""},
	{"tailscale-key", "tailscale_key", "a.env", "TS_AUTHKEY={{fake tailscale_key}}", "x = \"tskey-auth-xyz\""},
	{"axiom-token", "axiom_token", "a.env", "AXIOM_TOKEN={{fake axiom_token}}", "x = \"{{cut axiom_token}}\""},
	{"posthog-personal-api-key", "posthog_personal_api_key", "a.env", "POSTHOG_PERSONAL_API_KEY={{fake posthog_personal_api_key}}", "x = \"{{cut posthog_personal_api_key}}\""},
	{"adobe-client-secret", "adobe_client_secret", "a.env", "ADOBE_CLIENT_SECRET={{fake adobe_client_secret}}", "x = \"{{cut adobe_client_secret}}\""},
	{"planet-api-key", "planet_api_key", "a.env", "PL_API_KEY={{fake planet_api_key}}", "x = \"{{cut planet_api_key}}\""},
	{"dynatrace-token", "dynatrace_token", "a.env", "DT_API_TOKEN={{fake dynatrace_token}}", "x = \"{{cut dynatrace_token}}\""},
	{"honeycomb-api-key", "honeycomb_api_key", "a.env", "HONEYCOMB_API_KEY={{fake honeycomb_api_key}}", "x = \"hcaik_short\""},
	{"planetscale-token", "planetscale_token", "a.env", "DATABASE_PASSWORD={{fake planetscale_token}}", "x = \"pscale_pw_short\""},
	{"neon-api-key", "neon_api_key", "a.env", "NEON_API_KEY={{fake neon_api_key}}", "x = \"{{cut neon_api_key}}\""},
	{"render-api-key", "render_api_key", "a.env", "RENDER_API_KEY={{fake render_api_key}}", "x = \"{{cut render_api_key}}\""},
	{"rubygems-api-key", "rubygems_api_key", "a.env", "GEM_HOST_API_KEY={{fake rubygems_api_key}}", "x = \"{{cut rubygems_api_key}}\""},
	{"nuget-api-key", "nuget_api_key", "a.env", "NUGET_API_KEY={{fake nuget_api_key}}", "x = \"{{cut nuget_api_key}}\""},
	{"crates-io-token", "crates_io_token", "a.env", "CARGO_REGISTRY_TOKEN={{fake crates_io_token}}", "x = \"{{cut crates_io_token}}\""},
	{"akamai-edgegrid-token", "akamai_edgegrid_token", "a.py", "client_token = {{fake akamai_edgegrid_token}}", "x = \"{{cut akamai_edgegrid_token}}\""},
	{"teamcity-token", "teamcity_token", "a.env", "TEAMCITY_TOKEN={{fake teamcity_token}}", "x = \"eyJ0eXAiOiAiVENWMiJ9.short\""},
	{"putty-private-key", "putty_private_key", "id.ppk", "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: me\nPublic-Lines: 2\nAAAAC3NzaC1lZDI1NTE5\nAAAAIH\nPrivate-Lines: 1\n{{fake putty_private_key}}\nPrivate-MAC: 00", "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: aes256-cbc\nPrivate-Lines: 0\n"},
	{"plaid-access-token", "plaid_access_token", "a.env", "PLAID_ACCESS_TOKEN={{fake plaid_access_token}}", "x = \"access-production-short\""},
	{"clickup-api-token", "clickup_api_token", "a.env", "CLICKUP_API_TOKEN={{fake clickup_api_token}}", "x = \"{{cut clickup_api_token}}\""},
	{"yandex-cloud-api-key", "yandex_cloud_api_key", "a.env", "YC_API_KEY={{fake yandex_cloud_api_key}}", "x = \"{{cut yandex_cloud_api_key}}\""},
	{"scaleway-secret-key", "scaleway_secret_key", "a.env", "SCW_SECRET_KEY={{fake scaleway_secret_key}}", "scw_region = \"fr-par\""},
	{"linode-token", "linode_token", "a.env", "LINODE_TOKEN={{fake linode_token}}", "linode_region = \"{{cut linode_token}}\""},
	{"hetzner-cloud-token", "hetzner_cloud_token", "a.env", "HCLOUD_TOKEN={{fake hetzner_cloud_token}}", "hcloud_location = \"{{cut hetzner_cloud_token}}\""},
	{"vultr-api-key", "vultr_api_key", "a.env", "VULTR_API_KEY={{fake vultr_api_key}}", "vultr_region = \"{{cut vultr_api_key}}\""},
	{"pagerduty-api-key", "pagerduty_api_key", "a.env", "PAGERDUTY_ROUTING_KEY={{fake pagerduty_api_key}}", "pagerduty_service = \"{{cut pagerduty_api_key}}\""},
	{"splunk-hec-token", "splunk_hec_token", "a.env", "SPLUNK_HEC_TOKEN={{fake splunk_hec_token}}", "splunk_index = \"{{cut splunk_hec_token}}\""},
	{"rollbar-access-token", "rollbar_access_token", "a.env", "ROLLBAR_ACCESS_TOKEN={{fake rollbar_access_token}}", "rollbar_env = \"{{cut rollbar_access_token}}\""},
	{"snyk-token", "snyk_token", "a.env", "SNYK_TOKEN={{fake snyk_token}}", "snyk_org = \"{{cut snyk_token}}\""},
	{"codecov-token", "codecov_token", "a.env", "CODECOV_TOKEN={{fake codecov_token}}", "codecov_flags = \"{{cut codecov_token}}\""},
	{"asana-pat", "asana_pat", "a.env", "ASANA_TOKEN={{fake asana_pat}}", "asana_workspace = \"{{cut asana_pat}}\""},
	{"zendesk-api-token", "zendesk_api_token", "a.env", "ZENDESK_API_TOKEN={{fake zendesk_api_token}}", "zendesk_subdomain = \"{{cut zendesk_api_token}}\""},
	{"looker-client-secret", "looker_client_secret", "a.env", "LOOKERSDK_CLIENT_SECRET={{fake looker_client_secret}}", "looker_base_url = \"{{cut looker_client_secret}}\""},
	{"fivetran-api-secret", "fivetran_api_secret", "a.env", "FIVETRAN_API_SECRET={{fake fivetran_api_secret}}", "fivetran_group = \"{{cut fivetran_api_secret}}\""},
	{"tableau-pat-secret", "tableau_pat_secret", "a.env", "TABLEAU_TOKEN_VALUE={{fake tableau_pat_secret}}", "tableau_site = \"{{cut tableau_pat_secret}}\""},
}

// cut keeps the first half of a token.
func cut(tok string) string { return tok[:len(tok)/2] }

// flip changes one character where it breaks the token's check: right
// after an encoded JSON object's opening (its first key), or in the middle.
func flip(tok string) string {
	i := len(tok) / 2
	if j := strings.Index(tok, "eyJ"); j >= 0 {
		i = j + 3
	}
	switch {
	case strings.HasPrefix(tok, "pypi-"):
		i = len("pypi-AgE") // the location field's length
	case strings.HasPrefix(tok, "ABSK"), strings.HasPrefix(tok, "dG9rO"):
		i = 5 // inside the encoded prefix
	}
	c := byte('Q')
	if tok[i] == c {
		c = 'R'
	}
	return tok[:i] + string(c) + tok[i+1:]
}

func init() {
	set := testsecrets.New(4242)
	for _, c := range catalogue {
		ruleCases = append(ruleCases, ruleCase{c.rule, c.path, c.line, []string{c.rule + "=" + c.kind}})
		neg := strings.ReplaceAll(c.neg, "{{cut "+c.kind+"}}", cut(set.Get(c.kind)))
		neg = strings.ReplaceAll(neg, "{{flip "+c.kind+"}}", flip(set.Get(c.kind)))
		neg = strings.ReplaceAll(neg, "{{flip jwt_signed}}", flip(set.Get("jwt_signed")))
		negatives = append(negatives, struct{ rule, path, text string }{c.rule, c.path, set.Fill(neg)})
	}
}
