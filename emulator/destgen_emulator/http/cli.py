"""``destgen emulator``: start the local Flow Service in the foreground and print its base URL.

Argument handling only; the server lives in server.py.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from destgen_emulator.service.catalog import DEFAULT_SPECS


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``destgen emulator`` options: port, state file, seeded faults, specs, auth."""
    parser.add_argument(
        "--host", default="127.0.0.1", help="loopback address to listen on (default 127.0.0.1)"
    )
    parser.add_argument(
        "--port",
        type=_port,
        default=8765,
        help="port; 0 picks a free one and prints it (default 8765)",
    )
    parser.add_argument(
        "--specs",
        type=Path,
        default=DEFAULT_SPECS,
        help="folder of connection specs: a manifest.json's curated entries and any raw spec "
        "file (default: ./specs_cache, else the shipped specs)",
    )
    parser.add_argument(
        "--faults",
        type=Path,
        help="fault rules, JSON or TOML: a list of {fault, method, path, probability, times, "
        "retry_after, latency_ms} (docs/emulator.md, Faults)",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed for faults and run metrics")
    parser.add_argument("--state", type=Path, help="load state from FILE on start, save it on exit")
    parser.add_argument(
        "--token", help="accept only this bearer token (default: any non-empty token)"
    )
    parser.add_argument("--api-key", help="accept only this x-api-key (default: any non-empty key)")
    parser.add_argument(
        "--client-id",
        help="OAuth client id for the token endpoint; tokens it issues are the only ones accepted",
    )
    parser.add_argument("--client-secret", help="OAuth client secret paired with --client-id")
    parser.add_argument(
        "--deliver-to",
        type=Path,
        metavar="DIR",
        help="each run writes the files it would deliver under DIR/<sandbox>/<destination>/ "
        "(file names from the templates, CSV options, compression, manifest, PGP)",
    )
    parser.add_argument(
        "--s3",
        action="store_true",
        help="also put S3 destinations' files on an S3-compatible server on loopback (moto); "
        "point boto3 at the printed endpoint with the bucket and path from the file",
    )
    parser.add_argument(
        "--sftp",
        action="store_true",
        help="also serve SFTP destinations' files on an SFTP server on loopback (paramiko) that "
        "accepts the activation file's username with its password or SSH key",
    )
    parser.add_argument(
        "--deliver-rows",
        type=int,
        default=100,
        metavar="N",
        help="profiles per delivered audience file (default 100)",
    )


def _port(text: str) -> int:
    """A TCP port number (0 to 65535), for argparse."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"a port is 0 to 65535, not {port}")
    return port


def _ready(server: Any, url: str) -> None:
    """The base URL first (scripts wait for it), then the storage a consumer points at."""
    print(f"destgen emulator listening on {url}", flush=True)
    if server.s3_endpoint is not None:
        from destgen_emulator.storage.storage import S3_REGION  # only when serving, not for --help

        print(
            f"destgen emulator S3 endpoint {server.s3_endpoint} (any key, {S3_REGION})", flush=True
        )
    if server.sftp_address is not None:
        host, port = server.sftp_address
        print(f"destgen emulator SFTP {host} port {port} (the file's credentials)", flush=True)


def run(args: argparse.Namespace) -> int:
    """Serve in the foreground until SIGINT/SIGTERM; save the state file on the way out."""
    # Imported here: `destgen --help` must not pay for uvicorn and Starlette.
    from destgen_emulator.http.faults import load_rules
    from destgen_emulator.http.server import EmulatorServer
    from destgen_emulator.service.auth import AuthPolicy

    if bool(args.client_id) != bool(args.client_secret):
        print("destgen emulator: --client-id and --client-secret go together", file=sys.stderr)
        return 2
    try:
        faults = load_rules(args.faults) if args.faults else []
        server = EmulatorServer(
            host=args.host,
            port=args.port,
            specs=args.specs,
            faults=faults,
            seed=args.seed,
            state_file=args.state,
            deliver_to=args.deliver_to,
            deliver_rows=args.deliver_rows,
            s3=args.s3,
            sftp=args.sftp,
            auth=AuthPolicy(
                token=args.token,
                api_key=args.api_key,
                client_id=args.client_id,
                client_secret=args.client_secret,
            ),
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        print(f"destgen emulator: error: {exc}", file=sys.stderr)
        return 2
    try:
        server.serve_forever(on_ready=lambda url: _ready(server, url))
    except OSError as exc:
        print(
            f"destgen emulator: error: {exc.strerror or exc} (pick another --port)", file=sys.stderr
        )
        return 2
    return 0
