// Package python rewrites Python source so that hardcoded AWS credentials
// are taken out and the SDK's default credential chain (role, SSO,
// AWS_PROFILE), or a named profile, supplies them instead. The source is a
// .py file, a jupytext script, or the Python cells of a notebook joined
// with "\n"; IPython line magics (%env, !cmd, x = !cmd) and jupytext's
// commented magics (# %env ...) are understood.
//
// It works on a lossless, hand-written tokenizer rather than an AST: every
// edit is a byte span of the original text, so nothing outside the edited
// spans changes (comments, quoting, trailing commas, layout).
//
// Rewrite recognises, for each key it is given:
//
//   - boto3 client/resource/Session/setup_default_session keyword
//     arguments (also a session's .client, awswrangler's boto3_session and
//     SageMaker's boto_session through the inner boto3.Session);
//   - s3fs.S3FileSystem and fsspec keyword arguments and client_kwargs;
//   - storage_options of pandas/dask read_* and to_* calls;
//   - module constants that feed only those (deleted with their uses);
//   - os.environ assignments, setdefault, putenv, update, and
//     os.getenv fallbacks;
//   - %env, %set_env, !export, !aws configure set, and variables set for
//     one shell command;
//   - Spark/Hadoop fs.s3a.* keys set on a configuration or in a
//     SparkSession builder chain (replaced by one credential provider);
//   - s3a://KEY:SECRET@bucket URLs, and comments.
//
// Anything else is left to a person with a Reason, and a call or
// statement is never half edited.
package python
