"""Numbers and paths the runtime shares: base URL, API prefixes, timeouts and retry caps.

Values only; the modules that use them own the behaviour.
"""

from __future__ import annotations

import re

DEFAULT_BASE_URL = "https://platform.adobe.io"
DEFAULT_TOKEN_URL = "https://ims-na1.adobelogin.com/ims/token/v3"
FLOW_SERVICE = "/data/foundation/flowservice"
DATA_PREP = "/data/foundation/conversion"
# The Data Lake source connection spec: what a dataset export reads, and where eligible datasets
# are listed.
DATA_LAKE_SPEC_ID = "23598e46-f560-407b-88d5-ea6207e49db0"
UNION_SCHEMA = "/data/core/ups/config/entityTypes/_xdm.context.profile"
SEGMENT_DEFINITIONS = "/data/core/ups/segment/definitions"
# The Audiences API's bulk read: many audiences by id in one request.
AUDIENCES_BULK_GET = "/data/core/ups/audiences/bulk-get"
BULK_GET_MAX = 100  # ids per bulk-get
SANDBOXES = "/data/foundation/sandbox-management/sandboxes"
# A sandbox's name as the Sandbox API takes it: lower-case letters, digits and hyphens, starting
# with a letter or digit, at most 256 characters. It is a header value and, in the emulator, a
# folder name: anything else (a path, a non-ASCII name) is refused before it is used.
SANDBOX_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,255}")
SANDBOX_NAME_RULE = "lower-case letters, digits and hyphens, at most 256, not starting with '-'"

CONNECT_TIMEOUT_S = 10.0
READ_TIMEOUT_S = 60.0
# One request, answer included, however slowly a server sends it (each try of a retried one).
REQUEST_DEADLINE_S = 120.0
# A transient fault may not fail a run a retry can finish: six tries with waits of up to 2, 4, 8,
# 16 and 30 s (full jitter), a budget of about a minute per request.
MAX_ATTEMPTS = 6
BACKOFF_BASE_S = 2.0
BACKOFF_CAP_S = 30.0
RETRY_AFTER_CAP_S = 60.0
MAX_412_RETRIES = 30
TOKEN_REFRESH_MARGIN_S = 300.0
MAX_PAGES = 1000
# The largest response body read: Flow Service answers are kilobytes, a page of 100 entities a
# few hundred; a server that sends more is refused before it fills the client's memory.
MAX_RESPONSE_BYTES = 64 * 1024 * 1024
# An error answer is read only this far: its message is what matters, and a body that parses
# into Python objects costs some twenty times its size (a 60 MB error body cost 1.3 GB).
MAX_ERROR_BODY_BYTES = 64 * 1024
# All the pages of one listing together: each page is capped alone, the listing as a whole here,
# so that a server answering page after page of big items cannot fill the client's memory.
MAX_LISTING_BYTES = 32 * 1024 * 1024
# Data Prep lists page by offset; the most a page may hold (limit 1-100).
DATA_PREP_PAGE = 100
