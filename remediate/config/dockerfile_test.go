package config

import "testing"

func TestDockerfile(t *testing.T) {
	runCases(t, []rewriteCase{
		{
			name: "ENV of both keys",
			path: "Dockerfile",
			in: `FROM python:3.12-slim
ENV AWS_ACCESS_KEY_ID={{fake aws_key_id}} AWS_SECRET_ACCESS_KEY={{fake aws_secret}}
ENV AWS_DEFAULT_REGION=eu-west-1
RUN pip install boto3
`,
			want: `FROM python:3.12-slim
ENV AWS_DEFAULT_REGION=eu-west-1
RUN pip install boto3
`,
			outcomes: "FF",
			note:     "--mount=type=secret,id=aws,target=/root/.aws/credentials",
		},
		{
			name: "pairs over continued lines keep the others",
			path: "docker/app.Dockerfile",
			in: `FROM alpine:3
ENV APP_ENV=prod \
    AWS_ACCESS_KEY_ID="{{fake aws_key_id}}" \
    AWS_SECRET_ACCESS_KEY={{fake aws_secret}} \
    LOG_LEVEL=info
CMD ["app"]
`,
			want: `FROM alpine:3
ENV APP_ENV=prod \
    LOG_LEVEL=info
CMD ["app"]
`,
			outcomes: "FF",
		},
		{
			name: "last pair goes with the blank before it",
			path: "Dockerfile.prod",
			opts: dev,
			in: `FROM alpine:3
ENV LOG_LEVEL=info AWS_SECRET_ACCESS_KEY={{fake aws_secret}}
`,
			want: `FROM alpine:3
ENV LOG_LEVEL=info
`,
			outcomes: "F",
			note:     "AWS_PROFILE=dev",
		},
		{
			name: "legacy ENV NAME value form",
			path: "Dockerfile",
			in: `FROM alpine:3
ENV AWS_ACCESS_KEY_ID {{fake aws_key_id}}
env AWS_SECRET_ACCESS_KEY {{fake aws_secret}}
`,
			want: `FROM alpine:3
`,
			outcomes: "FF",
		},
		{
			name: "ARG defaults, continued instruction with a comment line",
			path: "Containerfile",
			in: `ARG AWS_ACCESS_KEY_ID={{fake aws_key_id}}
ARG AWS_SECRET_ACCESS_KEY=\
# the secret
{{fake aws_secret}}
FROM alpine:3
`,
			want: `FROM alpine:3
`,
			outcomes: "FF",
		},
		{
			name:     "escape directive",
			path:     "Dockerfile",
			in:       "# escape=`\nFROM mcr.microsoft.com/windows/servercore\nENV AWS_ACCESS_KEY_ID={{fake aws_key_id}} `\n    AWS_SECRET_ACCESS_KEY={{fake aws_secret}} `\n    APP=c:\\app\n",
			want:     "# escape=`\nFROM mcr.microsoft.com/windows/servercore\nENV APP=c:\\app\n",
			outcomes: "FF",
		},
		{
			name: "an untargeted key id goes with its secret",
			path: "Dockerfile",
			in: `FROM alpine:3
ARG AWS_ACCESS_KEY_ID
ENV AWS_ACCESS_KEY_ID=$AWS_ACCESS_KEY_ID APP=1
ENV AWS_SECRET_ACCESS_KEY={{fake aws_secret}}
`,
			want: `FROM alpine:3
ENV APP=1
`,
			outcomes: "F",
		},
		{
			name:     "RUN is left to a person",
			path:     "Dockerfile",
			in:       "FROM alpine:3\nRUN aws configure set aws_secret_access_key {{fake aws_secret}}\n",
			want:     "FROM alpine:3\nRUN aws configure set aws_secret_access_key {{fake aws_secret}}\n",
			outcomes: "M",
			reason:   "build secret",
		},
		{
			name:     "other password in ENV",
			path:     "Dockerfile",
			in:       "FROM postgres:16\nENV POSTGRES_PASSWORD={{fake db_password}}\n",
			want:     "FROM postgres:16\nENV POSTGRES_PASSWORD={{fake db_password}}\n",
			outcomes: "M",
			reason:   "run time",
		},
	})
}
