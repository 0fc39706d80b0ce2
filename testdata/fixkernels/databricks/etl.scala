// Databricks notebook source
val spark = SparkSession.builder
  .appName("etl")
  .config("spark.hadoop.fs.s3a.access.key", "{{fake aws_key_id.dbxs}}")
  .config("spark.hadoop.fs.s3a.secret.key", "{{fake aws_secret.dbxs}}")
  .getOrCreate()

// COMMAND ----------

// MAGIC %python
// MAGIC import os
// MAGIC os.environ["AWS_ACCESS_KEY_ID"] = "{{fake aws_key_id.dbxpy}}"
// MAGIC os.environ["AWS_SECRET_ACCESS_KEY"] = "{{fake aws_secret.dbxpy}}"

// COMMAND ----------

display(spark.read.parquet("s3a://lake/events/").limit(10))
