// Package iam is rolecall's AWS identity work: it turns the AWS calls a
// repository makes into the least-privilege policy of the role that replaces
// a leaked key, lints the IAM policies a repository holds, and checks
// whether a found key is live. The work is split by job:
//
//   - iam/policy: policy documents, grouping into statements, rendering
//   - iam/infer: AWS calls in code and notebooks -> (action, resource) uses
//   - iam/trust: trust policies for the role that replaces a key
//   - iam/lint: policies found in JSON, Terraform, CloudFormation and code
//   - iam/verify: STS GetCallerIdentity for found key pairs
package iam
