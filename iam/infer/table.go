package infer

// This file is the table of SDK methods -> IAM actions and of arguments ->
// resource ARNs, for the services data code calls. Method names are the
// boto3 names (paws uses the same; the AWS CLI's dashed operation names map
// to them); action names are the ones in AWS's Service Authorization
// Reference.

// resKind says how a method's resource ARN is built from its arguments.
type resKind uint8

const (
	rNone       resKind = iota // the action takes no resource-level permission: "*" is right
	rS3Object                  // Bucket + Key
	rS3Bucket                  // Bucket (+ Prefix as an s3:prefix condition)
	rDynamoDB                  // TableName
	rSQS                       // QueueUrl
	rSNS                       // TopicArn
	rLambda                    // FunctionName
	rSecret                    // SecretId
	rSSMParam                  // Name, Names (the first), Path
	rKMSKey                    // KeyId
	rKinesis                   // StreamName
	rLogGroup                  // logGroupName
	rAthenaWG                  // WorkGroup (default "primary")
	rGlueTable                 // DatabaseName + Name/TableName
	rGlueDB                    // Name / DatabaseName
	rSMEndpoint                // EndpointName
	rBedrock                   // modelId
	rRedshift                  // ClusterIdentifier / WorkgroupName
	rRole                      // RoleArn
	rEMR                       // ClusterId / JobFlowId
	rSMJob                     // TrainingJobName, ProcessingJobName ... (prefix of the kind)
)

// method is one SDK method: the actions it needs and how to name the
// resource.
type method struct {
	actions []string
	res     resKind
	// kind qualifies rSMJob ("training-job") and rGlueTable/rGlueDB.
	kind string
}

func m(res resKind, actions ...string) method { return method{actions: actions, res: res} }

// iamPrefix maps a boto3 service name to its IAM action prefix.
var iamPrefix = map[string]string{
	"s3": "s3", "athena": "athena", "glue": "glue", "sagemaker": "sagemaker", "sagemaker-runtime": "sagemaker",
	"redshift-data": "redshift-data", "dynamodb": "dynamodb", "secretsmanager": "secretsmanager", "ssm": "ssm",
	"kms": "kms", "sts": "sts", "lambda": "lambda", "sqs": "sqs", "sns": "sns", "kinesis": "kinesis",
	"logs": "logs", "bedrock-runtime": "bedrock", "emr": "elasticmapreduce",
}

var methods = map[string]map[string]method{
	"s3": {
		"get_object":                m(rS3Object, "s3:GetObject"),
		"head_object":               m(rS3Object, "s3:GetObject"),
		"download_file":             m(rS3Object, "s3:GetObject"),
		"download_fileobj":          m(rS3Object, "s3:GetObject"),
		"put_object":                m(rS3Object, "s3:PutObject"),
		"upload_file":               m(rS3Object, "s3:PutObject", "s3:AbortMultipartUpload"),
		"upload_fileobj":            m(rS3Object, "s3:PutObject", "s3:AbortMultipartUpload"),
		"create_multipart_upload":   m(rS3Object, "s3:PutObject"),
		"upload_part":               m(rS3Object, "s3:PutObject"),
		"complete_multipart_upload": m(rS3Object, "s3:PutObject"),
		"abort_multipart_upload":    m(rS3Object, "s3:AbortMultipartUpload"),
		"delete_object":             m(rS3Object, "s3:DeleteObject"),
		"delete_objects":            m(rS3Object, "s3:DeleteObject"),
		"copy_object":               m(rS3Object, "s3:PutObject"),
		"get_object_tagging":        m(rS3Object, "s3:GetObjectTagging"),
		"put_object_tagging":        m(rS3Object, "s3:PutObjectTagging"),
		"generate_presigned_url":    m(rS3Object, "s3:GetObject"),
		"list_objects":              m(rS3Bucket, "s3:ListBucket"),
		"list_objects_v2":           m(rS3Bucket, "s3:ListBucket"),
		"list_object_versions":      m(rS3Bucket, "s3:ListBucketVersions"),
		"head_bucket":               m(rS3Bucket, "s3:ListBucket"),
		"get_bucket_location":       m(rS3Bucket, "s3:GetBucketLocation"),
		"create_bucket":             m(rS3Bucket, "s3:CreateBucket"),
		"delete_bucket":             m(rS3Bucket, "s3:DeleteBucket"),
		"get_bucket_policy":         m(rS3Bucket, "s3:GetBucketPolicy"),
		"put_bucket_policy":         m(rS3Bucket, "s3:PutBucketPolicy"),
		"list_buckets":              m(rNone, "s3:ListAllMyBuckets"),
	},
	"athena": {
		"start_query_execution": m(rAthenaWG, "athena:StartQueryExecution"),
		"get_query_execution":   m(rAthenaWG, "athena:GetQueryExecution"),
		"get_query_results":     m(rAthenaWG, "athena:GetQueryResults"),
		"stop_query_execution":  m(rAthenaWG, "athena:StopQueryExecution"),
		"list_query_executions": m(rAthenaWG, "athena:ListQueryExecutions"),
		"get_work_group":        m(rAthenaWG, "athena:GetWorkGroup"),
	},
	"glue": {
		"get_table":              method{[]string{"glue:GetTable"}, rGlueTable, ""},
		"get_tables":             method{[]string{"glue:GetTables"}, rGlueTable, ""},
		"get_partitions":         method{[]string{"glue:GetPartitions"}, rGlueTable, ""},
		"create_table":           method{[]string{"glue:CreateTable"}, rGlueTable, ""},
		"update_table":           method{[]string{"glue:UpdateTable"}, rGlueTable, ""},
		"delete_table":           method{[]string{"glue:DeleteTable"}, rGlueTable, ""},
		"batch_create_partition": method{[]string{"glue:BatchCreatePartition"}, rGlueTable, ""},
		"get_database":           method{[]string{"glue:GetDatabase"}, rGlueDB, ""},
		"create_database":        method{[]string{"glue:CreateDatabase"}, rGlueDB, ""},
		"get_databases":          m(rNone, "glue:GetDatabases"),
		"start_job_run":          m(rNone, "glue:StartJobRun"),
		"get_job_run":            m(rNone, "glue:GetJobRun"),
		"start_crawler":          m(rNone, "glue:StartCrawler"),
	},
	"sagemaker": {
		"describe_training_job":   method{[]string{"sagemaker:DescribeTrainingJob"}, rSMJob, "training-job"},
		"create_training_job":     method{[]string{"sagemaker:CreateTrainingJob"}, rSMJob, "training-job"},
		"describe_processing_job": method{[]string{"sagemaker:DescribeProcessingJob"}, rSMJob, "processing-job"},
		"create_processing_job":   method{[]string{"sagemaker:CreateProcessingJob"}, rSMJob, "processing-job"},
		"describe_endpoint":       m(rSMEndpoint, "sagemaker:DescribeEndpoint"),
		"delete_endpoint":         m(rSMEndpoint, "sagemaker:DeleteEndpoint"),
		"list_endpoints":          m(rNone, "sagemaker:ListEndpoints"),
		"list_training_jobs":      m(rNone, "sagemaker:ListTrainingJobs"),
	},
	"sagemaker-runtime": {
		"invoke_endpoint":       m(rSMEndpoint, "sagemaker:InvokeEndpoint"),
		"invoke_endpoint_async": m(rSMEndpoint, "sagemaker:InvokeEndpointAsync"),
	},
	"redshift-data": {
		"execute_statement":       m(rRedshift, "redshift-data:ExecuteStatement"),
		"batch_execute_statement": m(rRedshift, "redshift-data:BatchExecuteStatement"),
		"describe_statement":      m(rNone, "redshift-data:DescribeStatement"),
		"get_statement_result":    m(rNone, "redshift-data:GetStatementResult"),
		"list_databases":          m(rRedshift, "redshift-data:ListDatabases"),
	},
	"dynamodb": {
		"get_item":         m(rDynamoDB, "dynamodb:GetItem"),
		"put_item":         m(rDynamoDB, "dynamodb:PutItem"),
		"update_item":      m(rDynamoDB, "dynamodb:UpdateItem"),
		"delete_item":      m(rDynamoDB, "dynamodb:DeleteItem"),
		"query":            m(rDynamoDB, "dynamodb:Query"),
		"scan":             m(rDynamoDB, "dynamodb:Scan"),
		"batch_get_item":   m(rDynamoDB, "dynamodb:BatchGetItem"),
		"batch_write_item": m(rDynamoDB, "dynamodb:BatchWriteItem"),
		"batch_writer":     m(rDynamoDB, "dynamodb:BatchWriteItem"),
		"describe_table":   m(rDynamoDB, "dynamodb:DescribeTable"),
		"list_tables":      m(rNone, "dynamodb:ListTables"),
	},
	"secretsmanager": {
		"get_secret_value": m(rSecret, "secretsmanager:GetSecretValue"),
		"describe_secret":  m(rSecret, "secretsmanager:DescribeSecret"),
		"put_secret_value": m(rSecret, "secretsmanager:PutSecretValue"),
		"list_secrets":     m(rNone, "secretsmanager:ListSecrets"),
	},
	"ssm": {
		"get_parameter":          m(rSSMParam, "ssm:GetParameter"),
		"get_parameters":         m(rSSMParam, "ssm:GetParameters"),
		"get_parameters_by_path": m(rSSMParam, "ssm:GetParametersByPath"),
		"put_parameter":          m(rSSMParam, "ssm:PutParameter"),
		"describe_parameters":    m(rNone, "ssm:DescribeParameters"),
	},
	"kms": {
		"decrypt":           m(rKMSKey, "kms:Decrypt"),
		"encrypt":           m(rKMSKey, "kms:Encrypt"),
		"generate_data_key": m(rKMSKey, "kms:GenerateDataKey"),
		"describe_key":      m(rKMSKey, "kms:DescribeKey"),
		"list_keys":         m(rNone, "kms:ListKeys"),
	},
	"sts": {
		"assume_role":         m(rRole, "sts:AssumeRole"),
		"get_caller_identity": m(rNone, "sts:GetCallerIdentity"),
	},
	"lambda": {
		"invoke":               m(rLambda, "lambda:InvokeFunction"),
		"invoke_async":         m(rLambda, "lambda:InvokeFunction"),
		"get_function":         m(rLambda, "lambda:GetFunction"),
		"update_function_code": m(rLambda, "lambda:UpdateFunctionCode"),
		"list_functions":       m(rNone, "lambda:ListFunctions"),
	},
	"sqs": {
		"send_message":         m(rSQS, "sqs:SendMessage"),
		"send_message_batch":   m(rSQS, "sqs:SendMessage"),
		"receive_message":      m(rSQS, "sqs:ReceiveMessage"),
		"delete_message":       m(rSQS, "sqs:DeleteMessage"),
		"delete_message_batch": m(rSQS, "sqs:DeleteMessage"),
		"get_queue_attributes": m(rSQS, "sqs:GetQueueAttributes"),
		"get_queue_url":        m(rSQS, "sqs:GetQueueUrl"),
		"purge_queue":          m(rSQS, "sqs:PurgeQueue"),
		"list_queues":          m(rNone, "sqs:ListQueues"),
	},
	"sns": {
		"publish":       m(rSNS, "sns:Publish"),
		"publish_batch": m(rSNS, "sns:Publish"),
		"subscribe":     m(rSNS, "sns:Subscribe"),
		"list_topics":   m(rNone, "sns:ListTopics"),
	},
	"kinesis": {
		"put_record":         m(rKinesis, "kinesis:PutRecord"),
		"put_records":        m(rKinesis, "kinesis:PutRecords"),
		"get_records":        m(rKinesis, "kinesis:GetRecords"),
		"get_shard_iterator": m(rKinesis, "kinesis:GetShardIterator"),
		"describe_stream":    m(rKinesis, "kinesis:DescribeStream"),
		"list_shards":        m(rKinesis, "kinesis:ListShards"),
	},
	"logs": {
		"create_log_group":    m(rLogGroup, "logs:CreateLogGroup"),
		"create_log_stream":   m(rLogGroup, "logs:CreateLogStream"),
		"put_log_events":      m(rLogGroup, "logs:PutLogEvents"),
		"filter_log_events":   m(rLogGroup, "logs:FilterLogEvents"),
		"get_log_events":      m(rLogGroup, "logs:GetLogEvents"),
		"describe_log_groups": m(rNone, "logs:DescribeLogGroups"),
	},
	"bedrock-runtime": {
		"invoke_model":                      m(rBedrock, "bedrock:InvokeModel"),
		"invoke_model_with_response_stream": m(rBedrock, "bedrock:InvokeModelWithResponseStream"),
		"converse":                          m(rBedrock, "bedrock:InvokeModel"),
		"converse_stream":                   m(rBedrock, "bedrock:InvokeModelWithResponseStream"),
	},
	"emr": {
		"run_job_flow":        m(rNone, "elasticmapreduce:RunJobFlow"),
		"add_job_flow_steps":  m(rEMR, "elasticmapreduce:AddJobFlowSteps"),
		"describe_cluster":    m(rEMR, "elasticmapreduce:DescribeCluster"),
		"describe_step":       m(rEMR, "elasticmapreduce:DescribeStep"),
		"list_steps":          m(rEMR, "elasticmapreduce:ListSteps"),
		"terminate_job_flows": m(rEMR, "elasticmapreduce:TerminateJobFlows"),
		"list_clusters":       m(rNone, "elasticmapreduce:ListClusters"),
	},
}

// waiters maps a waiter name to the method whose permission its polling
// needs.
var waiters = map[string]string{
	"object_exists": "head_object", "object_not_exists": "head_object", "bucket_exists": "head_bucket",
	"bucket_not_exists": "head_bucket", "table_exists": "describe_table", "table_not_exists": "describe_table",
	"endpoint_in_service": "describe_endpoint", "training_job_completed_or_stopped": "describe_training_job",
	"processing_job_completed_or_stopped": "describe_processing_job",
}

// resourceMethods are the boto3 resource-API methods on a sub-resource
// (s3.Bucket, s3.Object, dynamodb.Table), mapped to client methods.
var resourceMethods = map[string]map[string]string{
	"Bucket": {"download_file": "download_file", "upload_file": "upload_file", "download_fileobj": "download_fileobj",
		"upload_fileobj": "upload_fileobj", "put_object": "put_object", "delete_objects": "delete_objects",
		"create": "create_bucket", "delete": "delete_bucket"},
	"Object": {"get": "get_object", "put": "put_object", "delete": "delete_object", "download_file": "download_file",
		"upload_file": "upload_file", "load": "head_object", "copy_from": "copy_object"},
	"Table": {"get_item": "get_item", "put_item": "put_item", "update_item": "update_item", "delete_item": "delete_item",
		"query": "query", "scan": "scan", "batch_writer": "batch_writer", "load": "describe_table"},
}
