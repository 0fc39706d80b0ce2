package infer

import (
	"strings"
)

// pawsServices maps paws (R) service constructors to boto3 service names.
var pawsServices = map[string]string{
	"s3": "s3", "athena": "athena", "glue": "glue", "sagemaker": "sagemaker", "sagemakerruntime": "sagemaker-runtime",
	"dynamodb": "dynamodb", "secretsmanager": "secretsmanager", "ssm": "ssm", "kms": "kms", "sts": "sts",
	"lambda": "lambda", "sqs": "sqs", "sns": "sns", "kinesis": "kinesis", "cloudwatchlogs": "logs",
	"bedrockruntime": "bedrock-runtime", "emr": "emr", "redshiftdataapiservice": "redshift-data",
}

// awsS3R are the aws.s3 (R) functions: read, write, list or delete, and
// the positions of their object and bucket arguments.
var awsS3R = map[string]struct {
	op          string
	object, bkt int
}{
	"get_object": {"read", 0, 1}, "save_object": {"read", 0, 1}, "s3read_using": {"read", -1, -1},
	"s3readRDS": {"read", 0, 1}, "s3load": {"read", 0, 1}, "head_object": {"read", 0, 1}, "object_exists": {"read", 0, 1},
	"put_object": {"write", 1, 2}, "s3write_using": {"write", -1, -1}, "s3saveRDS": {"write", 1, 2}, "s3save": {"write", 1, 2},
	"get_bucket": {"list", -1, 0}, "get_bucket_df": {"list", -1, 0}, "delete_object": {"delete", 0, 1},
}

var smEstimators = map[string]bool{"Estimator": true, "Framework": true, "PyTorch": true, "TensorFlow": true,
	"SKLearn": true, "XGBoost": true, "HuggingFace": true, "MXNet": true, "Chainer": true}

// call evaluates a call of v and adds the uses it makes.
func (e *evaluator) call(v val, a args, site Site) val {
	if h := v.h; h != nil && v.method != "" {
		return e.handleCall(h, v.method, a, site)
	}
	if v.mod != "" && v.method == "" {
		return e.funcCall(v.mod, a, site)
	}
	if v.method != "" {
		return e.unknownReceiver(v.method, a, site)
	}
	return val{}
}

func last(path string) string { return path[strings.LastIndexByte(path, '.')+1:] }

// funcCall handles a call of a module-level function or class.
func (e *evaluator) funcCall(mod string, a args, site Site) val {
	path, known := resolveMod(mod)
	fn := last(path)
	switch {
	case known && (path == "boto3.client" || path == "boto3.session.Session.client"):
		return e.newClient("client", a, site)
	case known && path == "boto3.resource":
		return e.newClient("resource", a, site)
	case known && (path == "boto3.Session" || path == "boto3.session.Session"):
		return val{h: &handle{kind: "session"}}
	case known && (path == "s3fs.S3FileSystem" || path == "s3fs.core.S3FileSystem"):
		return val{h: &handle{kind: "fs"}}
	case known && path == "fsspec.filesystem":
		if s := a.str(0, "protocol"); s.exact && (s.s == "s3" || s.s == "s3a") {
			return val{h: &handle{kind: "fs"}}
		}
		return val{}
	case strings.HasPrefix(path, "paws."):
		if svc, ok := pawsServices[fn]; ok {
			return val{h: &handle{kind: "client", svc: svc}}
		}
	case known && strings.HasPrefix(path, "sagemaker"):
		return e.sagemaker(path, fn, a, site)
	case known && strings.HasPrefix(path, "awswrangler."):
		return e.wrangler(strings.TrimPrefix(path, "awswrangler."), a, site)
	case known && (path == "fsspec.open" || path == "smart_open.open" || path == "smart_open.smart_open"):
		e.openURL(a, site, false)
		return val{}
	case !known && fn == "open":
		e.openURL(a, site, true)
		return val{}
	}
	if !known && strings.Contains(path, ".") && !e.r {
		return e.unknownReceiver(fn, a, site) // a method of an object made elsewhere (a DataFrame)
	}
	if e.r {
		if spec, ok := awsS3R[fn]; ok && (!known || strings.HasPrefix(path, "aws.s3.")) {
			e.awsS3(fn, spec.op, spec.object, spec.bkt, a, site)
			return val{}
		}
		if fn == "read.csv" || strings.HasPrefix(fn, "read_") {
			e.dataLib(fn, a, site, false)
		}
		return val{}
	}
	if known {
		tree := strings.HasPrefix(path, "dask.") || strings.HasPrefix(path, "polars.") && strings.HasPrefix(fn, "scan_")
		e.dataLib(fn, a, site, tree)
	}
	return val{}
}

// dataLib handles read_*/to_*/write_*/scan_* functions of the data
// libraries (pandas, dask, polars) on s3:// paths.
func (e *evaluator) dataLib(fn string, a args, site Site, tree bool) {
	p := a.str(0, "path", "filepath_or_buffer", "source", "path_or_buf", "urlpath", "file")
	if !isS3URL(p) {
		return
	}
	switch {
	case strings.HasPrefix(fn, "read_") || strings.HasPrefix(fn, "scan_") || fn == "read.csv":
		e.c.s3Access(site, p, false, tree, false)
	case strings.HasPrefix(fn, "to_") || strings.HasPrefix(fn, "write_") || strings.HasPrefix(fn, "sink_"):
		e.c.s3Access(site, p, true, tree, false)
	}
}

// unknownReceiver handles methods of objects the evaluator did not track:
// DataFrame writers and sessions made elsewhere.
func (e *evaluator) unknownReceiver(method string, a args, site Site) val {
	switch {
	case method == "client" || method == "resource":
		if s := a.str(0, "service_name"); s.exact {
			return e.newClient(method, a, site)
		}
	case strings.HasPrefix(method, "to_") || strings.HasPrefix(method, "write_") || strings.HasPrefix(method, "sink_"):
		p := a.str(0, "path", "path_or_buf", "file")
		if isS3URL(p) {
			e.c.s3Access(site, p, true, false, false)
		}
	}
	return val{}
}

func (e *evaluator) newClient(kind string, a args, site Site) val {
	s := a.str(0, "service_name")
	if !s.exact {
		e.c.res.Notes = append(e.c.res.Notes, site.String()+": the service name is not a literal; its calls are not mapped")
		return val{}
	}
	return val{h: &handle{kind: kind, svc: s.s}}
}

// handleCall handles a method of a tracked object.
func (e *evaluator) handleCall(h *handle, m string, a args, site Site) val {
	switch h.kind {
	case "session":
		if m == "client" || m == "resource" {
			return e.newClient(m, a, site)
		}
	case "client":
		switch m {
		case "get_paginator":
			return val{h: &handle{kind: "paginator", svc: h.svc, name: a.str(0, "operation_name").s}}
		case "get_waiter":
			return val{h: &handle{kind: "waiter", svc: h.svc, name: a.str(0, "waiter_name").s}}
		}
		e.c.sdkCall(site, h.svc, m, a, nil)
	case "paginator":
		if m == "paginate" && h.name != "" {
			e.c.sdkCall(site, h.svc, h.name, a, nil)
		}
	case "waiter":
		if op, ok := waiters[h.name]; ok && m == "wait" {
			e.c.sdkCall(site, h.svc, op, a, nil)
		}
	case "resource":
		switch m {
		case "Bucket":
			return val{h: &handle{kind: "sub", svc: h.svc, sub: "Bucket", fixed: map[string]str{"Bucket": a.str(0, "name")}}}
		case "Object":
			return val{h: &handle{kind: "sub", svc: h.svc, sub: "Object", fixed: map[string]str{"Bucket": a.str(0, "bucket_name"), "Key": a.str(1, "key")}}}
		case "Table":
			return val{h: &handle{kind: "sub", svc: h.svc, sub: "Table", fixed: map[string]str{"TableName": a.str(0, "name")}}}
		}
	case "sub":
		if h.sub == "Bucket" && m == "Object" {
			return val{h: &handle{kind: "sub", svc: h.svc, sub: "Object", fixed: map[string]str{"Bucket": h.fixed["Bucket"], "Key": a.str(0, "key")}}}
		}
		op, ok := resourceMethods[h.sub][m]
		if !ok {
			return val{}
		}
		fixed := map[string]str{}
		for k, v := range h.fixed {
			fixed[k] = v
		}
		if h.sub == "Bucket" {
			switch m {
			case "download_file", "download_fileobj":
				fixed["Key"] = a.str(0, "Key")
			case "upload_file", "upload_fileobj":
				fixed["Key"] = a.str(1, "Key")
			}
		}
		e.c.sdkCall(site, h.svc, op, args{kw: a.kw}, fixed)
	case "objects":
		switch m {
		case "filter", "all", "limit", "page_size":
			e.c.sdkCall(site, "s3", "list_objects_v2", args{kw: a.kw}, h.fixed)
			return val{h: h}
		case "delete":
			e.c.sdkCall(site, "s3", "delete_objects", args{}, h.fixed)
		}
	case "fs":
		e.fsCall(m, a, site)
	case "reader", "writer":
		return e.sparkCall(h, m, a, site)
	case "estimator", "model", "processor", "predictor":
		return e.sagemakerCall(h, m, a, site)
	}
	return val{}
}

// fsCall handles s3fs/fsspec file system methods; their paths may omit
// the s3:// scheme.
func (e *evaluator) fsCall(m string, a args, site Site) {
	p := a.str(0, "path", "rpath", "lpath")
	switch m {
	case "open":
		mode := a.str(1, "mode")
		e.c.s3Access(site, p, mode.exact && strings.ContainsAny(mode.s, "wax"), false, true)
	case "cat", "cat_file", "read_text", "read_bytes", "head", "info":
		e.c.s3Access(site, p, false, false, true)
	case "get", "download", "get_file":
		e.c.s3Access(site, a.str(0, "rpath"), false, false, true)
	case "put", "upload", "put_file":
		e.c.s3Access(site, a.str(1, "rpath"), true, false, true)
	case "pipe", "pipe_file", "write_text", "write_bytes", "touch":
		e.c.s3Access(site, p, true, false, true)
	case "ls", "glob", "find", "walk", "du", "exists", "isdir", "isfile", "listdir":
		e.c.s3List(site, p, true)
	case "rm", "rm_file", "delete":
		if b, k, ok := s3URL(p, true); ok {
			e.c.add(site, "s3:DeleteObject", objectARN(b, k, a.has("recursive")), nil, "")
			if a.has("recursive") {
				e.c.add(site, "s3:ListBucket", bucketARN(b), prefixCondition(k), "")
			}
		} else {
			e.c.unknown(site, "s3:DeleteObject", "the bucket")
		}
	case "copy", "cp", "cp_file", "mv", "move":
		e.c.s3Access(site, p, false, false, true)
		e.c.s3Access(site, a.str(1, "path2"), true, false, true)
		if m == "mv" || m == "move" {
			if b, k, ok := s3URL(p, true); ok {
				e.c.add(site, "s3:DeleteObject", objectARN(b, k, false), nil, "")
			}
		}
	}
}

// sparkCall handles DataFrameReader/Writer chains on s3a:// paths.
func (e *evaluator) sparkCall(h *handle, m string, a args, site Site) val {
	switch m {
	case "format", "option", "options", "schema", "mode", "partitionBy", "bucketBy", "sortBy", "outputMode", "trigger", "queryName":
		return val{h: h}
	case "parquet", "csv", "json", "orc", "text", "load", "save", "avro", "start":
		paths := a.pos
		if v, ok := a.kw["path"]; ok {
			paths = append(paths, v)
		}
		for _, p := range paths {
			for _, s := range append([]str{p.s}, p.list...) {
				if isS3URL(s) {
					e.c.s3Access(site, s, h.kind == "writer", true, false)
				}
			}
		}
	}
	return val{}
}

// openURL handles open(url, mode) of fsspec and smart_open.
func (e *evaluator) openURL(a args, site Site, builtin bool) {
	p := a.str(0, "urlpath", "uri", "file")
	if !isS3URL(p) {
		return
	}
	mode := a.str(1, "mode")
	e.c.s3Access(site, p, mode.exact && strings.ContainsAny(mode.s, "wax"), false, false)
}

// awsS3 handles R's aws.s3 functions.
func (e *evaluator) awsS3(fn, op string, objPos, bktPos int, a args, site Site) {
	obj := a.str(objPos, "object")
	bkt := a.str(bktPos, "bucket")
	if op == "list" {
		e.c.s3List(site, concat(concat(lit("s3://"), bkt), concat(lit("/"), a.str(-1, "prefix"))), false)
		return
	}
	path := obj
	if !isS3URL(obj) {
		path = concat(concat(concat(lit("s3://"), bkt), lit("/")), obj)
		if !bkt.exact {
			path = str{}
		}
	}
	switch op {
	case "read":
		e.c.s3Access(site, path, false, false, false)
	case "write":
		e.c.s3Access(site, path, true, false, false)
	case "delete":
		if b, k, ok := s3URL(path, false); ok {
			e.c.add(site, "s3:DeleteObject", objectARN(b, k, false), nil, "")
		} else {
			e.c.unknown(site, "s3:DeleteObject", "the bucket")
		}
	}
}

// wrangler handles awswrangler (AWS SDK for pandas) functions.
func (e *evaluator) wrangler(fn string, a args, site Site) val {
	switch {
	case strings.HasPrefix(fn, "s3.read_") || fn == "s3.select_query":
		e.c.s3Access(site, a.str(0, "path"), false, true, false)
	case strings.HasPrefix(fn, "s3.to_"):
		e.c.s3Access(site, a.str(1, "path"), true, true, false)
	case fn == "s3.list_objects" || fn == "s3.list_directories" || fn == "s3.does_object_exist":
		e.c.s3List(site, a.str(0, "path"), false)
	case fn == "s3.delete_objects":
		e.c.s3Access(site, a.str(0, "path"), true, true, false)
	case fn == "s3.download":
		e.c.s3Access(site, a.str(0, "path"), false, false, false)
	case fn == "s3.upload":
		e.c.s3Access(site, a.str(1, "path"), true, false, false)
	case strings.HasPrefix(fn, "athena.read_sql_") || fn == "athena.start_query_execution":
		e.athena(a, site)
	case strings.HasPrefix(fn, "catalog."):
		db := a.str(-1, "database")
		if db.exact {
			e.c.add(site, "glue:GetTable", "arn:aws:glue:*:*:table/"+db.s+"/"+a.str(-1, "table").pattern(), nil, "")
		} else {
			e.c.unknown(site, "glue:GetTable", "the database")
		}
	}
	return val{}
}

// athena adds what an Athena query needs: the workgroup, the Glue catalog
// it reads, and the S3 results location.
func (e *evaluator) athena(a args, site Site) {
	wg := a.str(-1, "workgroup")
	if !wg.known {
		wg = lit("primary")
	}
	for _, act := range []string{"athena:StartQueryExecution", "athena:GetQueryExecution", "athena:GetQueryResults"} {
		e.c.add(site, act, "arn:aws:athena:*:*:workgroup/"+wg.pattern(), nil, "")
	}
	db := a.str(-1, "database")
	for _, act := range []string{"glue:GetDatabase", "glue:GetTable", "glue:GetPartitions"} {
		if !db.exact {
			e.c.unknown(site, act, "the database")
			continue
		}
		e.c.add(site, act, "arn:aws:glue:*:*:catalog", nil, "")
		e.c.add(site, act, "arn:aws:glue:*:*:database/"+db.s, nil, "")
		e.c.add(site, act, "arn:aws:glue:*:*:table/"+db.s+"/*", nil, "")
	}
	out := a.str(-1, "s3_output")
	b, k, ok := s3URL(out, false)
	if !ok {
		for _, act := range []string{"s3:GetObject", "s3:PutObject", "s3:ListBucket", "s3:GetBucketLocation"} {
			e.c.unknown(site, act, "the query results location (s3_output)")
		}
		return
	}
	e.c.add(site, "s3:GetObject", objectARN(b, k, true), nil, "")
	e.c.add(site, "s3:PutObject", objectARN(b, k, true), nil, "")
	e.c.add(site, "s3:ListBucket", bucketARN(b), nil, "")
	e.c.add(site, "s3:GetBucketLocation", bucketARN(b), nil, "")
}

// sagemaker handles the SageMaker Python SDK's constructors.
func (e *evaluator) sagemaker(path, fn string, a args, site Site) val {
	switch {
	case smEstimators[fn]:
		return val{h: &handle{kind: "estimator", role: a.str(-1, "role"), name: a.str(-1, "base_job_name").s}}
	case strings.HasSuffix(fn, "Model"):
		return val{h: &handle{kind: "model", role: a.str(-1, "role")}}
	case strings.HasSuffix(fn, "Processor"):
		return val{h: &handle{kind: "processor", role: a.str(-1, "role"), name: a.str(-1, "base_job_name").s}}
	case strings.HasSuffix(fn, "Predictor"):
		return val{h: &handle{kind: "predictor", fixed: map[string]str{"EndpointName": a.str(0, "endpoint_name")}}}
	}
	return val{}
}

// sagemakerCall handles fit, deploy, run and predict.
func (e *evaluator) sagemakerCall(h *handle, m string, a args, site Site) val {
	job := func(kind string) string {
		return "arn:aws:sagemaker:*:*:" + kind + "/" + strings.ToLower(h.name) + "*"
	}
	switch {
	case m == "fit" && h.kind == "estimator":
		e.c.add(site, "sagemaker:CreateTrainingJob", job("training-job"), nil, "")
		e.c.add(site, "sagemaker:DescribeTrainingJob", job("training-job"), nil, "")
		e.c.passRole(site, h.role, "sagemaker.amazonaws.com")
	case m == "run" && h.kind == "processor":
		e.c.add(site, "sagemaker:CreateProcessingJob", job("processing-job"), nil, "")
		e.c.add(site, "sagemaker:DescribeProcessingJob", job("processing-job"), nil, "")
		e.c.passRole(site, h.role, "sagemaker.amazonaws.com")
	case m == "deploy" && (h.kind == "estimator" || h.kind == "model"):
		ep := a.str(-1, "endpoint_name")
		epARN := "arn:aws:sagemaker:*:*:endpoint/*"
		if ep.known {
			epARN = "arn:aws:sagemaker:*:*:endpoint/" + strings.ToLower(ep.pattern())
		}
		e.c.add(site, "sagemaker:CreateModel", "arn:aws:sagemaker:*:*:model/*", nil, "")
		e.c.add(site, "sagemaker:CreateEndpointConfig", "arn:aws:sagemaker:*:*:endpoint-config/*", nil, "")
		e.c.add(site, "sagemaker:CreateEndpoint", epARN, nil, "")
		e.c.add(site, "sagemaker:CreateEndpoint", "arn:aws:sagemaker:*:*:endpoint-config/*", nil, "")
		e.c.add(site, "sagemaker:DescribeEndpoint", epARN, nil, "")
		e.c.passRole(site, h.role, "sagemaker.amazonaws.com")
		return val{h: &handle{kind: "predictor", fixed: map[string]str{"EndpointName": ep}}}
	case m == "predict" && h.kind == "predictor":
		e.c.sdkCall(site, "sagemaker-runtime", "invoke_endpoint", args{}, h.fixed)
	}
	return val{}
}
