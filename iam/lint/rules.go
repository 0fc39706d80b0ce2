package lint

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/rolecall/rolecall/detectors"
)

// Rule ids. Each is a check with a severity and help text; the ids are a
// public interface (SARIF rule ids, --baseline fingerprints).
const (
	WildcardAction = "iam-wildcard-action"
	ResourceStar   = "iam-resource-star"
	NotActionAllow = "iam-not-action-allow"
	PassRoleStar   = "iam-passrole-star"
	PrivEsc        = "iam-privilege-escalation"
	TrustAnyone    = "iam-trust-any-principal"
	TrustCrossAcct = "iam-trust-cross-account"
	GitHubSub      = "iam-github-oidc-sub"
	GitHubAud      = "iam-github-oidc-aud"
	ServiceTrust   = "iam-service-trust-source"
	PolicyVersion  = "iam-policy-version"
)

// Rules are the lint checks, for reports (SARIF rule metadata) and docs.
var Rules = []*detectors.Rule{
	{ID: WildcardAction, Severity: detectors.High, Description: "Allow with a wildcard action (* or service:*)",
		Hint: "List the actions the code calls; `rolecall iam policy` infers them from the repository's code."},
	{ID: ResourceStar, Severity: detectors.Medium, Description: "Resource * on actions that support resource-level permissions",
		Hint: "Name the buckets, tables, queues... the actions apply to (ARNs with a path prefix are fine)."},
	{ID: NotActionAllow, Severity: detectors.High, Description: "NotAction or NotResource with Allow",
		Hint: "Allow + NotAction grants every other action, including future ones; list what is allowed instead."},
	{ID: PassRoleStar, Severity: detectors.High, Description: "iam:PassRole on Resource *",
		Hint: "Name the role ARNs that may be passed and add an iam:PassedToService condition."},
	{ID: PrivEsc, Severity: detectors.High, Description: "Action that lets the holder raise its own privileges",
		Hint: "CreatePolicyVersion, Attach/PutRolePolicy, UpdateAssumeRolePolicy, CreateAccessKey, PassRole with compute creation... let a principal become administrator; grant them only to administrators, on named resources."},
	{ID: TrustAnyone, Severity: detectors.High, Description: "Trust policy lets any principal assume the role",
		Hint: "Name the account, role or service; a Principal of * needs a narrowing condition (aws:PrincipalOrgID, aws:SourceArn...)."},
	{ID: TrustCrossAcct, Severity: detectors.Medium, Description: "Cross-account trust without sts:ExternalId or aws:PrincipalOrgID",
		Hint: "Add an sts:ExternalId condition for a third party, or aws:PrincipalOrgID for accounts of your organization (confused deputy)."},
	{ID: GitHubSub, Severity: detectors.High, Description: "GitHub OIDC trust without a repository-specific sub condition",
		Hint: "Condition on token.actions.githubusercontent.com:sub with StringEquals/StringLike \"repo:OWNER/REPO:ref:refs/heads/BRANCH\" (or :environment:NAME); a sub of * or repo:OWNER/* lets other repositories assume the role."},
	{ID: GitHubAud, Severity: detectors.Medium, Description: "GitHub OIDC trust without an aud condition",
		Hint: "Add StringEquals token.actions.githubusercontent.com:aud = sts.amazonaws.com."},
	{ID: ServiceTrust, Severity: detectors.Low, Description: "Service trust without aws:SourceAccount or aws:SourceArn",
		Hint: "Add aws:SourceAccount (your account id) or aws:SourceArn so another account's resources cannot use the service to assume this role (confused deputy)."},
	{ID: PolicyVersion, Severity: detectors.Low, Description: "Policy without Version 2012-10-17",
		Hint: "Set \"Version\": \"2012-10-17\"; without it policy variables like ${aws:username} are literal text."},
}

func init() {
	for _, r := range Rules {
		r.Tags = append(r.Tags, "iam-policy") // SARIF help speaks of permissions, not credentials
	}
}

func ruleByID(id string) *detectors.Rule {
	for _, r := range Rules {
		if r.ID == id {
			return r
		}
	}
	return nil
}

// issue is one check's finding on a node.
type issue struct {
	rule    string
	at      *node
	excerpt string
	msg     string
}

// escalation lists actions that let the holder escalate (public catalogues
// of IAM privilege escalation paths).
var escalation = map[string]bool{
	"iam:createpolicyversion": true, "iam:setdefaultpolicyversion": true, "iam:attachrolepolicy": true,
	"iam:attachuserpolicy": true, "iam:attachgrouppolicy": true, "iam:putrolepolicy": true, "iam:putuserpolicy": true,
	"iam:putgrouppolicy": true, "iam:updateassumerolepolicy": true, "iam:createaccesskey": true,
	"iam:createloginprofile": true, "iam:updateloginprofile": true, "iam:addusertogroup": true,
	"lambda:updatefunctioncode": true,
}

// passRoleWith are actions that, with iam:PassRole, run code as a more
// privileged role.
var passRoleWith = []string{"lambda:createfunction", "ec2:runinstances", "glue:createdevendpoint", "glue:createjob",
	"cloudformation:createstack", "sagemaker:createnotebookinstance", "ecs:runtask", "datapipeline:createpipeline"}

// noResourceLevel matches actions that take no resource-level permission,
// so "*" is the only Resource they can have.
var noResourceLevel = regexp.MustCompile(`(?i)^(s3:ListAllMyBuckets|sts:GetCallerIdentity|[a-z0-9-]+:(List|Describe)[A-Za-z]*|ec2:[A-Za-z]+|cloudwatch:PutMetricData|logs:DescribeLogGroups|glue:GetDatabases|redshift-data:(DescribeStatement|GetStatementResult|ListStatements)|athena:ListWorkGroups|sagemaker:Search|kms:CreateKey|xray:Put[A-Za-z]*|ecr:GetAuthorizationToken)$`)

// spansRepos says whether a GitHub OIDC sub pattern can match more than
// one repository: a wildcard before the repository part ends (repo:acme/*,
// repo:acme/etl*, repo:*), or one that is not about a repository at all.
func spansRepos(sub string) bool {
	rest, ok := strings.CutPrefix(sub, "repo:")
	if !ok {
		return strings.HasPrefix(sub, "*") || strings.HasPrefix(sub, "?")
	}
	name, _, _ := strings.Cut(rest, ":")
	return strings.ContainsAny(name, "*?")
}

// narrowing are the condition keys that restrict who may use a trust to
// any principal (a condition on, say, aws:SecureTransport does not).
var narrowing = []string{"aws:principalorgid", "aws:principalorgpaths", "aws:principalaccount", "aws:principalarn",
	"aws:sourcearn", "aws:sourceaccount", "aws:sourceorgid", "aws:sourceorgpaths", "sts:externalid", "aws:userid"}

// check runs every check on one document.
func check(d document) []issue {
	var out []issue
	root := d.root
	if v := root.get("Version"); v == nil || v.kind != kStr || v.s != "2012-10-17" {
		at := root
		ex := "(no Version)"
		if v != nil {
			at, ex = v, v.s
		}
		out = append(out, issue{PolicyVersion, at, ex, "the policy language version is " + ex})
	}
	var allActions []string
	var passRoleStmt *node
	for _, s := range root.statements() {
		allow := s.get("Effect").strs()
		if len(allow) != 1 || allow[0] != "Allow" {
			continue
		}
		if s.get("Principal") != nil && (d.role == roleTrust || isAssume(s)) {
			out = append(out, trust(s)...)
			continue
		}
		for _, k := range []string{"NotAction", "NotResource"} {
			if n := s.get(k); n != nil {
				out = append(out, issue{NotActionAllow, n, k, "Allow with " + k + " grants everything not listed"})
			}
		}
		actions := s.get("Action").strs()
		resources := s.get("Resource").strs()
		star := false
		for _, r := range resources {
			if r == "*" {
				star = true
			}
		}
		for _, a := range actions {
			la := strings.ToLower(a)
			allActions = append(allActions, la)
			switch {
			case a == "*" || strings.HasSuffix(a, ":*"):
				out = append(out, issue{WildcardAction, s.get("Action"), a, fmt.Sprintf("%q allows every action of the service", a)})
				continue
			case la == "iam:passrole" || la == "iam:pass*":
				passRoleStmt = s
				if star {
					out = append(out, issue{PassRoleStar, s.get("Action"), a, "iam:PassRole on * lets the holder give any role to a service"})
					continue
				}
			case escalation[la]:
				out = append(out, issue{PrivEsc, s.get("Action"), a, a + " lets the holder raise its own privileges"})
			}
			if star && !noResourceLevel.MatchString(a) && !strings.Contains(a, "*") && s.get("Condition") == nil {
				out = append(out, issue{ResourceStar, s.get("Resource"), a, a + " on Resource * applies to every resource of its type"})
			}
		}
	}
	if passRoleStmt != nil {
		for _, a := range allActions {
			for _, w := range passRoleWith {
				if a == w {
					out = append(out, issue{PrivEsc, passRoleStmt.get("Action"), "iam:PassRole+" + a,
						"iam:PassRole with " + a + " lets the holder run code as any role it can pass"})
				}
			}
		}
	}
	return out
}

func isAssume(s *node) bool {
	for _, a := range s.get("Action").strs() {
		if strings.HasPrefix(strings.ToLower(a), "sts:assumerole") || strings.ToLower(a) == "sts:tagsession" {
			return true
		}
	}
	return false
}

// condKeys lists the condition keys of a statement (lower-cased) with
// their values.
func condKeys(s *node) map[string][]string {
	out := map[string][]string{}
	c := s.get("Condition")
	if c == nil || c.kind != kObj {
		return out
	}
	for _, op := range c.vals {
		if op.kind != kObj {
			continue
		}
		for i, k := range op.keys {
			lk := strings.ToLower(k)
			out[lk] = append(out[lk], op.vals[i].strs()...)
		}
	}
	return out
}

// sameAccount says whether a principal is written as the template's own
// account (CloudFormation's AWS::AccountId, Terraform's caller identity),
// which is no cross-account trust.
func sameAccount(p string) bool {
	return strings.Contains(p, "${AWS::AccountId}") || strings.Contains(p, "aws_caller_identity")
}

// trust runs the trust-policy checks on one Allow statement.
func trust(s *node) []issue {
	var out []issue
	p := s.get("Principal")
	conds := condKeys(s)
	var aws, fed, svc []string
	switch p.kind {
	case kStr:
		aws = []string{p.s}
	case kObj:
		aws, fed, svc = p.get("AWS").strs(), p.get("Federated").strs(), p.get("Service").strs()
	}
	for _, a := range aws {
		switch {
		case a == "*":
			if !slices.ContainsFunc(narrowing, func(k string) bool { _, ok := conds[k]; return ok }) {
				out = append(out, issue{TrustAnyone, p, "*", "any AWS principal may assume this role"})
			}
		case a != "?" && !sameAccount(a):
			if _, ok := conds["sts:externalid"]; ok {
				continue
			}
			if _, ok := conds["aws:principalorgid"]; ok {
				continue
			}
			out = append(out, issue{TrustCrossAcct, p, a, "principal " + a + " may assume this role without sts:ExternalId or aws:PrincipalOrgID"})
		}
	}
	for _, f := range fed {
		if !strings.Contains(f, "token.actions.githubusercontent.com") {
			continue
		}
		subs, ok := conds["token.actions.githubusercontent.com:sub"]
		if !ok {
			out = append(out, issue{GitHubSub, p, f, "any GitHub repository's workflow may assume this role: no token.actions.githubusercontent.com:sub condition"})
		}
		for _, sub := range subs {
			if spansRepos(sub) {
				out = append(out, issue{GitHubSub, s.get("Condition"), sub, fmt.Sprintf("sub %q spans repositories", sub)})
			}
		}
		if _, ok := conds["token.actions.githubusercontent.com:aud"]; !ok {
			out = append(out, issue{GitHubAud, p, f, "no token.actions.githubusercontent.com:aud condition"})
		}
	}
	if len(svc) > 0 {
		_, a := conds["aws:sourceaccount"]
		_, b := conds["aws:sourcearn"]
		_, c := conds["aws:sourceorgid"]
		if !a && !b && !c {
			out = append(out, issue{ServiceTrust, p, strings.Join(svc, ","), "service trust without aws:SourceAccount or aws:SourceArn"})
		}
	}
	return out
}
