package lake;

import org.apache.spark.sql.SparkSession;

public class Export {
  public static void main(String[] args) {
    SparkSession spark = SparkSession.builder()
        .appName("export")
        .config("spark.hadoop.fs.s3a.access.key", "{{fake aws_key_id.java}}")
        .config("spark.hadoop.fs.s3a.secret.key", "{{fake aws_secret.java}}")
        .getOrCreate();
    spark.sparkContext().hadoopConfiguration().set("fs.s3a.session.token", "{{fake aws_token.java}}");
    spark.read().parquet("s3a://lake/events/").write().csv("s3a://lake/export/");
  }
}
