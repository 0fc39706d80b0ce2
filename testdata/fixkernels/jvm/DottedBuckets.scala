// Buckets whose names hold dots, one with its provider already set.
object DottedBuckets {
  def main(args: Array[String]): Unit = {
    val hc = spark.sparkContext.hadoopConfiguration
    hc.set("fs.s3a.bucket.logs.example.com.aws.credentials.provider", "com.amazonaws.auth.InstanceProfileCredentialsProvider")
    hc.set("fs.s3a.bucket.logs.example.com.access.key", "{{fake aws_key_id.dots}}")
    hc.set("fs.s3a.bucket.logs.example.com.secret.key", "{{fake aws_secret.dots}}")
    hc.set("fs.s3a.bucket.raw.example.com.secret.key", "{{fake aws_secret.dots2}}")
    val raw = spark.read.json("s3a://{{fake aws_key_id.scurl}}:{{fake aws_secret.scurl}}@archive.example.com/events/")
  }
}
