// An Ammonite script
sc.hadoopConfiguration.set("fs.s3a.bucket.lake.access.key", "{{fake aws_key_id.sc}}")
sc.hadoopConfiguration.set("fs.s3a.bucket.lake.secret.key", "{{fake aws_secret.sc}}")
val n = spark.read.parquet("s3a://lake/events/").count()
