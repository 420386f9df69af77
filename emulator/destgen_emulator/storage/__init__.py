"""storage: real servers on loopback where a consumer reads the delivered files, started only
when asked for (their libraries load then). Imports the delivery room only.

- ``storage``: ``S3Mirror``, moto's S3 server holding each file of an S3 destination (``--s3``).
- ``sftp_server``: ``SftpServer``, a read-only paramiko SFTP server over the delivered folder,
  each login jailed to its own org and sandbox (``--sftp``).
"""
