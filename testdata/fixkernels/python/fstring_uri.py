from pyspark.sql import SparkSession

KEY = "{{fake aws_key_id.fs}}"
SECRET = "{{fake aws_secret.fs}}"

spark = SparkSession.builder.getOrCreate()
sales = spark.read.csv(f"s3a://{KEY}:{SECRET}@lake/raw/sales.csv", header=True)
