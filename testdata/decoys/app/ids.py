COMMIT = "{{decoy git_sha}}"
IMAGE_DIGEST = "sha256:{{decoy sha256}}"
REQUEST_ID = "{{decoy uuid}}"
checksum_sha1 = "{{decoy git_sha:second}}"
