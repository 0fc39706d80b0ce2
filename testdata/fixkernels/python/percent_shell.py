# %% [markdown]
# Sync the raw events from the lake.

# %%
import subprocess
!export AWS_ACCESS_KEY_ID={{fake aws_key_id.bang}} && aws s3 sync s3://lake/raw ./raw
!AWS_SECRET_ACCESS_KEY={{fake aws_secret.bang}} aws s3 ls s3://lake/raw | head

# %%
# %%bash
# export AWS_ACCESS_KEY_ID={{fake aws_key_id.pctsh}}
# aws s3 ls s3://lake
