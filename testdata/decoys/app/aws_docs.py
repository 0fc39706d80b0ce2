"""Everything here is what credential-handling code looks like when it is done
right, or the documented example values: none of it is a finding."""
import getpass
import os

import boto3

# AWS's documented example key pair.
EXAMPLE_KEY_ID = "AKIAIOSFODNN7EXAMPLE"
EXAMPLE_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

session = boto3.Session(profile_name=os.environ.get("AWS_PROFILE", "analytics"))
s3 = boto3.client(
    "s3",
    aws_access_key_id=os.environ["AWS_ACCESS_KEY_ID"],
    aws_secret_access_key=os.getenv("AWS_SECRET_ACCESS_KEY"),
)
placeholder = boto3.client("s3", aws_access_key_id="YOUR_ACCESS_KEY", aws_secret_access_key="YOUR_SECRET_KEY")
password = getpass.getpass("Warehouse password: ")
token = dbutils.secrets.get(scope="ml", key="hf-token")  # noqa: F821
api_key = os.environ.get("OPENAI_API_KEY") or "<your-api-key>"
db_password = "********"
secret_key = "changeme"
# os.environ["AWS_ACCESS_KEY_ID"] = "<your_values>"
url = "postgresql://{}:{}@{}:{}/{}".format("user", password, "host", 5432, "db")
dsn = f"postgresql://etl:{password}@warehouse:5432/prod"
max_tokens = 4096
pad_token = "<pad>"
password_hash = "$2b$12$" + "saltsaltsalt"
