package infer

import (
	"fmt"
	"strings"

	"github.com/rolecall/rolecall/iam/policy"
)

// args are a call's evaluated arguments.
type args struct {
	pos []val
	kw  map[string]val
}

// str returns the string value of the keyword argument named by one of
// names, or else of positional argument pos (-1: none).
func (a args) str(pos int, names ...string) str {
	for _, n := range names {
		if v, ok := a.kw[n]; ok {
			return v.first()
		}
	}
	if pos >= 0 && pos < len(a.pos) {
		return a.pos[pos].first()
	}
	return str{}
}

func (a args) has(names ...string) bool {
	for _, n := range names {
		if _, ok := a.kw[n]; ok {
			return true
		}
	}
	return false
}

// collector gathers uses for one source.
type collector struct {
	res *Result
}

func (c *collector) add(site Site, action, resource string, cond policy.Condition, warning string) {
	c.res.Uses = append(c.res.Uses, Use{
		Site: site, Action: action, Resource: resource, Condition: cond, Warning: warning,
		Grant: policy.Grant{Action: action, Resource: resource, Condition: cond},
	})
}

// unknown adds action on "*" with a warning that says what was not known.
func (c *collector) unknown(site Site, action, what string) {
	c.add(site, action, "*", nil, what+" is not known here; narrow this Resource by hand")
}

// positions of Bucket and Key for the client methods that take them
// positionally (the transfer helpers).
var s3Positional = map[string][2]int{
	"download_file": {0, 1}, "download_fileobj": {0, 1}, "upload_file": {1, 2}, "upload_fileobj": {1, 2},
}

// sdkCall adds the uses of client method name of service svc.
func (c *collector) sdkCall(site Site, svc, name string, a args, fixed map[string]str) {
	table, ok := methods[svc]
	if !ok {
		c.res.Notes = append(c.res.Notes, fmt.Sprintf("%s: service %q is not in rolecall's action table; add its permissions by hand", site, svc))
		return
	}
	spec, ok := table[name]
	if !ok {
		c.res.Notes = append(c.res.Notes, fmt.Sprintf("%s: %s.%s is not in rolecall's action table; add its permissions by hand", site, svc, name))
		return
	}
	get := func(pos int, names ...string) str {
		for _, n := range names {
			if v, ok := fixed[n]; ok {
				return v
			}
		}
		return a.str(pos, names...)
	}
	for _, action := range spec.actions {
		switch spec.res {
		case rNone:
			c.add(site, action, "*", nil, "")
		case rS3Object:
			bp, kp := -1, -1
			if p, ok := s3Positional[name]; ok {
				bp, kp = p[0], p[1]
			}
			if name == "copy_object" {
				src := a.kw["CopySource"]
				if b, k, ok := s3URL(src.s, true); ok {
					c.add(site, "s3:GetObject", objectARN(b, k, false), nil, "")
				} else if src.dict != nil {
					if b := src.dict["Bucket"]; b.exact {
						c.add(site, "s3:GetObject", objectARN(b.s, src.dict["Key"], false), nil, "")
					} else {
						c.unknown(site, "s3:GetObject", "the copy source")
					}
				} else {
					c.unknown(site, "s3:GetObject", "the copy source")
				}
			}
			b, k := get(bp, "Bucket"), get(kp, "Key")
			if name == "delete_objects" || (name == "put_object" && !k.known && fixed["Bucket"].exact && !a.has("Key")) {
				k = prefix("")
			}
			if !b.exact {
				c.unknown(site, action, "the bucket")
				continue
			}
			if !k.known {
				k = str{known: true}
			}
			c.add(site, action, objectARN(b.s, k, false), nil, "")
		case rS3Bucket:
			b := get(0, "Bucket")
			if !b.exact {
				c.unknown(site, action, "the bucket")
				continue
			}
			var cond policy.Condition
			if action == "s3:ListBucket" {
				if p := get(-1, "Prefix"); p.known {
					cond = prefixCondition(p)
				}
			}
			c.add(site, action, bucketARN(b.s), cond, "")
		default:
			arn, what := c.arn(spec, get)
			if arn == "" {
				c.unknown(site, action, what)
				continue
			}
			c.add(site, action, arn, nil, "")
		}
	}
}

// namedKinds are the resources whose ARN is a template around one
// argument (a name, or an ARN passed through).
var namedKinds = map[resKind]struct {
	params   []string
	template string
	what     string
}{
	rDynamoDB: {[]string{"TableName"}, "arn:aws:dynamodb:*:*:table/NAME", "the table"},
	rSNS:      {[]string{"TopicArn", "TargetArn"}, "arn:aws:sns:*:*:NAME", "the topic"},
	rLambda:   {[]string{"FunctionName"}, "arn:aws:lambda:*:*:function:NAME", "the function"},
	rKinesis:  {[]string{"StreamName", "StreamARN"}, "arn:aws:kinesis:*:*:stream/NAME", "the stream"},
	rLogGroup: {[]string{"logGroupName"}, "arn:aws:logs:*:*:log-group:NAME:*", "the log group"},
	rRole:     {[]string{"RoleArn"}, "arn:aws:iam::*:role/NAME", "the role"},
	rEMR:      {[]string{"ClusterId", "JobFlowId"}, "arn:aws:elasticmapreduce:*:*:cluster/NAME", "the cluster"},
	rGlueDB:   {[]string{"Name", "DatabaseName"}, "arn:aws:glue:*:*:database/NAME", "the database"},
}

// arn builds the resource of the non-S3 kinds; "" with a description of
// what was missing when it cannot.
func (c *collector) arn(spec method, get func(int, ...string) str) (string, string) {
	if t, ok := namedKinds[spec.res]; ok {
		if arn, ok := named(get(0, t.params...), t.template); ok {
			return arn, ""
		}
		return "", t.what
	}
	var arn string
	ok := false
	what := ""
	switch spec.res {
	case rSQS:
		arn, ok = sqsARN(get(0, "QueueUrl", "QueueName"))
		what = "the queue"
	case rSecret:
		v := get(0, "SecretId")
		if v.exact && !strings.HasPrefix(v.s, "arn:") {
			v = prefix(v.s + "-") // Secrets Manager appends six random characters to the name
		}
		arn, ok = named(v, "arn:aws:secretsmanager:*:*:secret:NAME")
		what = "the secret"
	case rSSMParam:
		what = "the parameter"
		v := get(0, "Name", "Names", "Path")
		v.s = strings.TrimPrefix(v.s, "/")
		if spec.actions[0] == "ssm:GetParametersByPath" {
			v = prefix(strings.TrimSuffix(v.s, "/") + "/")
			arn, ok = named(v, "arn:aws:ssm:*:*:parameter/NAME")
			if ok {
				// the path itself and everything below it
				arn = strings.TrimSuffix(arn, "/*")
			}
			break
		}
		arn, ok = named(v, "arn:aws:ssm:*:*:parameter/NAME")
	case rKMSKey:
		v := get(0, "KeyId")
		if v.known && strings.HasPrefix(v.s, "alias/") {
			return "", "the key behind an alias"
		}
		arn, ok = named(v, "arn:aws:kms:*:*:key/NAME")
		what = "the key"
	case rAthenaWG:
		v := get(-1, "WorkGroup")
		if !v.known {
			v = lit("primary")
		}
		arn, ok = named(v, "arn:aws:athena:*:*:workgroup/NAME")
		what = "the workgroup"
	case rGlueTable:
		db := get(0, "DatabaseName")
		t := get(1, "Name", "TableName")
		if !t.known {
			t = prefix("")
		}
		if db.exact {
			arn, ok = "arn:aws:glue:*:*:table/"+db.s+"/"+t.pattern(), true
			if t.pattern() == "*" {
				arn = "arn:aws:glue:*:*:table/" + db.s + "/*"
			}
		}
		what = "the database"
	case rSMEndpoint:
		v := get(0, "EndpointName")
		v.s = strings.ToLower(v.s) // SageMaker ARNs hold names in lower case
		arn, ok = named(v, "arn:aws:sagemaker:*:*:endpoint/NAME")
		what = "the endpoint"
	case rBedrock:
		v := get(-1, "modelId")
		arn, ok = named(v, "arn:aws:bedrock:*::foundation-model/NAME")
		what = "the model"
	case rRedshift:
		if v := get(-1, "WorkgroupName"); v.known {
			arn, ok = named(v, "arn:aws:redshift-serverless:*:*:workgroup/NAME")
		} else {
			arn, ok = named(get(-1, "ClusterIdentifier"), "arn:aws:redshift:*:*:cluster:NAME")
		}
		what = "the cluster or workgroup"
	case rSMJob:
		v := prefix("")
		for _, n := range []string{"TrainingJobName", "ProcessingJobName"} {
			if x := get(-1, n); x.known {
				v = x
			}
		}
		v.s = strings.ToLower(v.s)
		arn, ok = "arn:aws:sagemaker:*:*:"+spec.kind+"/"+v.pattern(), true
	}
	if !ok {
		return "", what
	}
	return arn, ""
}

// s3Access adds the uses of a data library's read or write of an S3 URL.
// tree says the path may name a directory (Spark, dask, awswrangler).
func (c *collector) s3Access(site Site, path str, write, tree, bare bool) {
	b, k, ok := s3URL(path, bare)
	actions := []string{"s3:GetObject"}
	if write {
		actions = []string{"s3:PutObject"}
		if tree {
			actions = append(actions, "s3:DeleteObject") // directory writes replace and clean up objects
		}
	}
	if !ok {
		for _, a := range actions {
			c.unknown(site, a, "the bucket")
		}
		if tree {
			c.unknown(site, "s3:ListBucket", "the bucket")
		}
		return
	}
	for _, a := range actions {
		c.add(site, a, objectARN(b, k, tree), nil, "")
	}
	if tree {
		c.add(site, "s3:ListBucket", bucketARN(b), prefixCondition(k), "")
	}
}

// s3List adds a listing of the objects under a URL.
func (c *collector) s3List(site Site, path str, bare bool) {
	b, k, ok := s3URL(path, bare)
	if !ok {
		c.unknown(site, "s3:ListBucket", "the bucket")
		return
	}
	c.add(site, "s3:ListBucket", bucketARN(b), prefixCondition(k), "")
}

// passRole lets the caller hand a role to a service.
func (c *collector) passRole(site Site, role str, service string) {
	cond := policy.Condition{"StringEquals": {"iam:PassedToService": {service}}}
	if !role.known || !strings.HasPrefix(role.s, "arn:") {
		if role.exact && role.s != "" && !strings.Contains(role.s, ":") {
			c.add(site, "iam:PassRole", "arn:aws:iam::*:role/"+role.s, cond, "")
			return
		}
		c.add(site, "iam:PassRole", "*", cond, "the execution role is not known here; narrow this Resource to its ARN")
		return
	}
	c.add(site, "iam:PassRole", role.pattern(), cond, "")
}
