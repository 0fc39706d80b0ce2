AK = "{{fake aws_key_id.pct}}"
SK = "{{fake aws_secret.pct}}"
dbutils.fs.mount("s3a://%s:%s@%s" % (AK, SK.replace("/", "%2F"), "lake"), "/mnt/lake")
