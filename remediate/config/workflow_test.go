package config

import "testing"

func TestWorkflow(t *testing.T) {
	runCases(t, []rewriteCase{
		{
			name: "workflow env serves every job",
			path: ".github/workflows/deploy.yml",
			in: `name: deploy
on: [push]
env:
  AWS_ACCESS_KEY_ID: {{fake aws_key_id}}
  AWS_SECRET_ACCESS_KEY: {{fake aws_secret}}
  AWS_REGION: eu-west-1
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: aws s3 ls
  deploy:
    runs-on: ubuntu-latest
    needs: build
    steps:
    - uses: actions/checkout@v4
    - run: |
        aws s3 sync dist s3://site
`,
			want: `name: deploy
on: [push]
env:
  AWS_REGION: eu-west-1
permissions:
  id-token: write
  contents: read
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - name: Configure AWS credentials
        uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: ${{ vars.AWS_ROLE_ARN }}
          aws-region: eu-west-1
      - uses: actions/checkout@v4
      - run: aws s3 ls
  deploy:
    runs-on: ubuntu-latest
    needs: build
    steps:
    - name: Configure AWS credentials
      uses: aws-actions/configure-aws-credentials@v4
      with:
        role-to-assume: ${{ vars.AWS_ROLE_ARN }}
        aws-region: eu-west-1
    - uses: actions/checkout@v4
    - run: |
        aws s3 sync dist s3://site
`,
			outcomes: "FF",
			note:     "token.actions.githubusercontent.com",
		},
		{
			name: "job env with job permissions",
			path: ".github/workflows/upload.yaml",
			in: `on: push
jobs:
  upload:
    runs-on: ubuntu-latest
    permissions:
      contents: read
    env:
      AWS_ACCESS_KEY_ID: {{fake aws_key_id}}
      AWS_SECRET_ACCESS_KEY: "{{fake aws_secret}}"
    steps:
      - uses: actions/checkout@v4
      - run: aws s3 cp file s3://b/
`,
			want: `on: push
jobs:
  upload:
    runs-on: ubuntu-latest
    permissions:
      id-token: write
      contents: read
    steps:
      - name: Configure AWS credentials
        uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: ${{ vars.AWS_ROLE_ARN }}
          aws-region: ${{ vars.AWS_REGION }}
      - uses: actions/checkout@v4
      - run: aws s3 cp file s3://b/
`,
			outcomes: "FF",
			note:     "AWS_ROLE_ARN and AWS_REGION",
		},
		{
			name: "step env, permissions added to the job",
			path: ".github/workflows/sync.yml",
			in: `on: push
jobs:
  lint:
    runs-on: ubuntu-latest
    steps:
      - run: make lint
  sync:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - name: sync
        env:
          AWS_ACCESS_KEY_ID: {{fake aws_key_id}}
          AWS_SECRET_ACCESS_KEY: {{fake aws_secret}}
          AWS_DEFAULT_REGION: us-east-1
        run: aws s3 sync . s3://b
`,
			want: `on: push
jobs:
  lint:
    runs-on: ubuntu-latest
    steps:
      - run: make lint
  sync:
    runs-on: ubuntu-latest
    permissions:
      id-token: write
      contents: read
    steps:
      - name: Configure AWS credentials
        uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: ${{ vars.AWS_ROLE_ARN }}
          aws-region: us-east-1
      - uses: actions/checkout@v4
      - name: sync
        env:
          AWS_DEFAULT_REGION: us-east-1
        run: aws s3 sync . s3://b
`,
			outcomes: "FF",
		},
		{
			name: "env opening the first step, workflow permissions",
			path: ".github/workflows/ci.yml",
			in: `on: push
permissions:
  contents: read
  id-token: none
jobs:
  ci:
    runs-on: ubuntu-latest
    steps:
      - env:
          AWS_ACCESS_KEY_ID: {{fake aws_key_id}}
          AWS_SECRET_ACCESS_KEY: {{fake aws_secret}}
        run: aws sts get-caller-identity
`,
			want: `on: push
permissions:
  contents: read
  id-token: write
jobs:
  ci:
    runs-on: ubuntu-latest
    steps:
      - name: Configure AWS credentials
        uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: ${{ vars.AWS_ROLE_ARN }}
          aws-region: ${{ vars.AWS_REGION }}
      - run: aws sts get-caller-identity
`,
			outcomes: "FF",
		},
		{
			name: "static keys given to configure-aws-credentials",
			path: ".github/workflows/ci.yml",
			in: `on: push
jobs:
  ci:
    runs-on: ubuntu-latest
    permissions:
      contents: read
      pull-requests: write
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          aws-access-key-id: {{fake aws_key_id}}
          aws-secret-access-key: {{fake aws_secret}}
          aws-region: eu-west-1
      - run: aws s3 ls
`,
			want: `on: push
jobs:
  ci:
    runs-on: ubuntu-latest
    permissions:
      id-token: write
      contents: read
      pull-requests: write
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: ${{ vars.AWS_ROLE_ARN }}
          aws-region: eu-west-1
      - run: aws s3 ls
`,
			outcomes: "FF",
		},
		{
			name: "existing role step is not repeated",
			path: ".github/workflows/ci.yml",
			in: `on: push
jobs:
  ci:
    runs-on: ubuntu-latest
    permissions: write-all
    env:
      AWS_SECRET_ACCESS_KEY: {{fake aws_secret}}
      TZ: UTC
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: arn:aws:iam::123456789012:role/ci
          aws-region: eu-west-1
`,
			want: `on: push
jobs:
  ci:
    runs-on: ubuntu-latest
    permissions: write-all
    env:
      TZ: UTC
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: arn:aws:iam::123456789012:role/ci
          aws-region: eu-west-1
`,
			outcomes: "F",
		},
		{
			name: "reusable workflow job is left to a person",
			path: ".github/workflows/call.yml",
			in: `on: push
jobs:
  call:
    uses: org/repo/.github/workflows/deploy.yml@main
    env:
      AWS_SECRET_ACCESS_KEY: {{fake aws_secret}}
`,
			want: `on: push
jobs:
  call:
    uses: org/repo/.github/workflows/deploy.yml@main
    env:
      AWS_SECRET_ACCESS_KEY: {{fake aws_secret}}
`,
			outcomes: "M",
			reason:   "reusable workflow",
		},
		{
			name: "read-all permissions are left to a person",
			path: ".github/workflows/ci.yml",
			in: `on: push
permissions: read-all
jobs:
  ci:
    runs-on: ubuntu-latest
    env:
      AWS_SECRET_ACCESS_KEY: {{fake aws_secret}}
    steps:
      - run: aws s3 ls
`,
			want: `on: push
permissions: read-all
jobs:
  ci:
    runs-on: ubuntu-latest
    env:
      AWS_SECRET_ACCESS_KEY: {{fake aws_secret}}
    steps:
      - run: aws s3 ls
`,
			outcomes: "M",
			reason:   "id-token: write",
		},
		{
			name: "service container env is left to a person",
			path: ".github/workflows/ci.yml",
			in: `on: push
jobs:
  ci:
    runs-on: ubuntu-latest
    services:
      minio:
        image: minio/minio
        env:
          AWS_SECRET_ACCESS_KEY: {{fake aws_secret}}
    steps:
      - run: make test
`,
			want: `on: push
jobs:
  ci:
    runs-on: ubuntu-latest
    services:
      minio:
        image: minio/minio
        env:
          AWS_SECRET_ACCESS_KEY: {{fake aws_secret}}
    steps:
      - run: make test
`,
			outcomes: "M",
			reason:   "configure-aws-credentials",
		},
		{
			name: "other secret",
			path: ".github/workflows/ci.yml",
			in: `on: push
jobs:
  ci:
    runs-on: ubuntu-latest
    env:
      DB_PASSWORD: {{fake db_password}}
    steps:
      - run: make test
`,
			want: `on: push
jobs:
  ci:
    runs-on: ubuntu-latest
    env:
      DB_PASSWORD: {{fake db_password}}
    steps:
      - run: make test
`,
			outcomes: "M",
			reason:   "${{ secrets.NAME }}",
		},
	})
}
