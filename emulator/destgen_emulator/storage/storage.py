"""Real storage on loopback where a user points a consumer: an S3-compatible server (moto's,
the well-kept AWS emulator) that receives every file delivered to an S3 destination, so a user's
own boto3 code lists and reads the exported objects with the bucket and path from the activation
file; and an SFTP server (sftp_server.py). Both start with the emulator and stop with it.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass, field
from typing import Any

from destgen_emulator.delivery.render import RenderedFile

# The region the S3 server answers for; any access key and secret are accepted, as moto does.
S3_REGION = "us-east-1"


@dataclass
class S3Mirror:
    """moto's S3 server on 127.0.0.1 (a free port) and the buckets delivered files go to."""

    host: str = "127.0.0.1"
    _server: Any = field(default=None, repr=False)
    _client: Any = field(default=None, repr=False)
    _buckets: set[str] = field(default_factory=set, repr=False)

    def start(self) -> str:
        """Start the server; its endpoint URL."""
        from moto.server import ThreadedMotoServer

        # moto's werkzeug server logs every request at INFO: quiet unless something fails.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        self._server = ThreadedMotoServer(ip_address=self.host, port=0, verbose=False)
        self._server.start()
        return self.endpoint

    @property
    def endpoint(self) -> str:
        """``http://127.0.0.1:PORT`` of the running server."""
        host, port = self._server.get_host_and_port()
        return f"http://{host}:{port}"

    def stop(self) -> None:
        """Stop the server (its objects live in memory and go with it)."""
        if self._server is not None:
            self._server.stop()
            self._server = None
            self._client, self._buckets = None, set()

    def put(self, files: list[RenderedFile]) -> list[str]:
        """Each file as an object: the first folder part is the bucket (the target's
        ``bucketName``), the rest and the name its key. Returns ``s3://bucket/key`` of each.
        """
        client = self._s3()
        made = []
        for file in files:
            if not file.folder:
                continue
            bucket, key = file.folder[0], "/".join((*file.folder[1:], file.name))
            if bucket not in self._buckets:  # one create per bucket, not one per file
                with contextlib.suppress(client.exceptions.BucketAlreadyOwnedByYou):
                    client.create_bucket(Bucket=bucket)
                self._buckets.add(bucket)
            client.put_object(Bucket=bucket, Key=key, Body=file.data)
            made.append(f"s3://{bucket}/{key}")
        return made

    def _s3(self) -> Any:
        if self._client is None:
            import boto3

            # The emulator's own client to its own server: moto takes any key; these are not
            # anybody's credentials.
            self._client = boto3.client(
                "s3",
                endpoint_url=self.endpoint,
                region_name=S3_REGION,
                aws_access_key_id="destgen-emulator",
                aws_secret_access_key="destgen-emulator",
            )
        return self._client
