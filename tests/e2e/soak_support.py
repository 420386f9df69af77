"""What the soak and the race tests share: examples, a seeded retry policy, the token and the
secret canaries (one per secret field; each must reach the wire and nowhere else).
"""

from __future__ import annotations

import random

from destgen_runtime.transport.retry import RetryPolicy

from tests.conftest import AUDIENCE_EXAMPLES

# Audience activations: the soak exercises audience flows; dataset flows have their own tests.
EXAMPLES = AUDIENCE_EXAMPLES
_JITTER = random.Random(7)  # seeded: the same backoff sequence on every run
RETRY = RetryPolicy(
    max_attempts=10,
    base=0.01,
    cap=0.1,
    retry_after_cap=0.05,
    jitter=lambda d: _JITTER.uniform(0, d),
)
TOKEN = "TOKENCANARY" + "k" * 24
WRITERS, WRITES = 6, 15  # concurrent writers on one dataflow, sequential updates each
# One canary per secret field; each must reach the wire and nowhere else.
CANARIES = {
    "S3_SECRET_KEY": "S3CANARY" + "a" * 32,
    "S3_ROLE_ARN": "ROLECANARY-arn",
    "AZURE_BLOB_CONNECTION_STRING": "BLOBCANARY-conn",
    "ADLS_SERVICE_PRINCIPAL_KEY": "ADLSCANARY-key",
    "GCS_SECRET_ACCESS_KEY": "GCSCANARY-secret",
    "SFTP_PASSWORD": "SFTPCANARY-pw",
    "SFTP_SSH_KEY": "U1NIQ0FOQVJZa2V5",
    "EVENT_HUBS_SAS_KEY": "EVENTHUBSCANARY-sas",
    "BRAZE_TOKEN": "BRAZECANARY-token",
    "CAMPAIGN_S3_SECRET_KEY": "CAMPAIGNCANARY" + "b" * 26,
    "SFMC_SFTP_PASSWORD": "SFMCCANARY-pw",
    "LEGACY_S3_SECRET_KEY": "LEGACYS3CANARY-key",
}
SECRET_CANARIES = list(CANARIES.values())
