# Databricks notebook source
ACCESS_KEY = "{{fake aws_key_id.dbx}}"
SECRET_KEY = "{{fake aws_secret.dbx}}"
ENCODED_SECRET_KEY = SECRET_KEY.replace("/", "%2F")

# COMMAND ----------

dbutils.fs.mount(f"s3a://{ACCESS_KEY}:{ENCODED_SECRET_KEY}@lake", "/mnt/lake")

# COMMAND ----------

# MAGIC %sh
# MAGIC export AWS_ACCESS_KEY_ID={{fake aws_key_id.dbxsh}}
# MAGIC export AWS_SECRET_ACCESS_KEY={{fake aws_secret.dbxsh}}
# MAGIC aws s3 ls s3://lake/

# COMMAND ----------

# MAGIC %scala
# MAGIC sc.hadoopConfiguration.set("fs.s3a.access.key", "{{fake aws_key_id.dbxscala}}")
# MAGIC sc.hadoopConfiguration.set("fs.s3a.secret.key", "{{fake aws_secret.dbxscala}}")
# MAGIC
# MAGIC val events = spark.read.parquet("s3a://lake/events/")

# COMMAND ----------

# MAGIC %r
# MAGIC Sys.setenv(AWS_ACCESS_KEY_ID = "{{fake aws_key_id.dbxr}}", AWS_SECRET_ACCESS_KEY = "{{fake aws_secret.dbxr}}")

# COMMAND ----------

# MAGIC %md
# MAGIC ## Done: the lake is mounted at /mnt/lake
