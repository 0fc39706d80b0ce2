package lake

import org.apache.spark.sql.SparkSession

object LoadEvents {
  val AccessKey = "{{fake aws_key_id.scalaobj}}"
  private val SecretKey: String = "{{fake aws_secret.scalaobj}}"

  def main(args: Array[String]): Unit = {
    val spark = SparkSession.builder.appName("load-events").getOrCreate()
    val hc = spark.sparkContext.hadoopConfiguration
    hc.set("fs.s3a.access.key", AccessKey)
    hc.set("fs.s3a.secret.key", SecretKey)
    spark.read.parquet("s3a://lake/events/").show()
  }
}
