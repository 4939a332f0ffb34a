"""Container health check for the web role: GET /healthz on localhost.

Exits 0 when the endpoint answers 200 (database, cache and broker reachable),
1 otherwise. Uses only the standard library: the slim image has no curl.
The X-Forwarded-Proto header keeps SECURE_SSL_REDIRECT from answering with a
redirect (the path is exempt too); the Host "localhost" must be in ALLOWED_HOSTS.
"""

import sys
import urllib.error
import urllib.request

URL = "http://localhost:8000/healthz"


def main() -> int:
    request = urllib.request.Request(URL, headers={"X-Forwarded-Proto": "https"})
    try:
        with urllib.request.urlopen(request, timeout=8) as response:  # noqa: S310
            status = response.status
    except urllib.error.HTTPError as exc:  # 503 (not ready), 400 (host not allowed)...
        print(f"unhealthy: HTTP {exc.code}", file=sys.stderr)
        return 1
    except OSError as exc:  # not listening yet, timeout
        print(f"unhealthy: {exc}", file=sys.stderr)
        return 1
    return 0 if status == 200 else 1


if __name__ == "__main__":
    sys.exit(main())
