package config

import "testing"

func TestCompose(t *testing.T) {
	mapEnv := `services:
  app:
    image: app:latest
    environment:
      AWS_ACCESS_KEY_ID: {{fake aws_key_id}}
      "AWS_SECRET_ACCESS_KEY": "{{fake aws_secret}}"  # prod
      AWS_DEFAULT_REGION: eu-west-1
    ports:
      - "8080:8080"
`
	listEnv := `version: "3.8"
services:
  worker:
    image: worker
    environment:
      - AWS_ACCESS_KEY_ID={{fake aws_key_id}}
      - "AWS_SECRET_ACCESS_KEY={{fake aws_secret}}"
    command: python worker.py
`
	runCases(t, []rewriteCase{
		{
			name: "map entries deleted",
			path: "docker-compose.yml",
			in:   mapEnv,
			want: `services:
  app:
    image: app:latest
    environment:
      AWS_DEFAULT_REGION: eu-west-1
    ports:
      - "8080:8080"
`,
			outcomes: "FF",
			note:     "~/.aws:/root/.aws:ro",
		},
		{
			name: "map entry becomes AWS_PROFILE",
			path: "deploy/docker-compose.prod.yaml",
			opts: dev,
			in:   mapEnv,
			want: `services:
  app:
    image: app:latest
    environment:
      AWS_PROFILE: dev
      AWS_DEFAULT_REGION: eu-west-1
    ports:
      - "8080:8080"
`,
			outcomes: "FF",
			note:     "~/.aws:/root/.aws:ro",
		},
		{
			name: "emptied list environment goes",
			path: "compose.yaml",
			in:   listEnv,
			want: `version: "3.8"
services:
  worker:
    image: worker
    command: python worker.py
`,
			outcomes: "FF",
		},
		{
			name: "list entry becomes AWS_PROFILE",
			path: "compose.yaml",
			opts: dev,
			in:   listEnv,
			want: `version: "3.8"
services:
  worker:
    image: worker
    environment:
      - AWS_PROFILE=dev
    command: python worker.py
`,
			outcomes: "FF",
		},
		{
			name: "AWS_PROFILE already set, password left to a person",
			path: "docker-compose.override.yml",
			opts: dev,
			in: `services:
  db:
    image: postgres:16
    environment:
      POSTGRES_PASSWORD: {{fake db_password}}
  app:
    build: .
    environment:
      - AWS_PROFILE=analytics
      - AWS_ACCESS_KEY_ID={{fake aws_key_id}}
      - AWS_SECRET_ACCESS_KEY={{fake aws_secret}}

    depends_on: [db]
`,
			want: `services:
  db:
    image: postgres:16
    environment:
      POSTGRES_PASSWORD: {{fake db_password}}
  app:
    build: .
    environment:
      - AWS_PROFILE=analytics

    depends_on: [db]
`,
			outcomes: "MFF",
			reason:   "secrets:",
		},
		{
			name: "indentless list, block scalar command",
			path: "docker-compose.yml",
			in: `services:
  job:
    image: job
    command: |
      environment:
        AWS_SECRET_ACCESS_KEY: not-a-key
    environment:
    - AWS_ACCESS_KEY_ID={{fake aws_key_id}}
    - AWS_SECRET_ACCESS_KEY={{fake aws_secret}}
    - TZ=UTC
`,
			want: `services:
  job:
    image: job
    command: |
      environment:
        AWS_SECRET_ACCESS_KEY: not-a-key
    environment:
    - TZ=UTC
`,
			outcomes: "FF",
		},
		{
			name: "build args are left to a person",
			path: "docker-compose.yml",
			in: `services:
  app:
    build:
      context: .
      args:
        AWS_SECRET_ACCESS_KEY: {{fake aws_secret}}
`,
			want: `services:
  app:
    build:
      context: .
      args:
        AWS_SECRET_ACCESS_KEY: {{fake aws_secret}}
`,
			outcomes: "M",
			reason:   "build secret",
		},
	})
}
