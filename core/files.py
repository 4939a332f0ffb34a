"""Serving a private file (see :mod:`core.storage`) to someone the calling
view has already checked.

Always as a download, never rendered by the browser as our own page:
``Content-Disposition: attachment``, ``X-Content-Type-Options: nosniff``,
``Content-Security-Policy: sandbox`` (even opened directly, it runs no script
with our origin's rights) and ``Cache-Control: private, no-store``. Markup
types are sent as ``application/octet-stream`` whatever the stored name says.
On S3 the answer is a redirect to a signed address valid for five minutes
that carries the same disposition and type.
"""

import mimetypes
from pathlib import PurePosixPath

from django.http import FileResponse, Http404, HttpResponseRedirect
from django.utils.cache import add_never_cache_headers
from django.utils.http import content_disposition_header

from core.storage import is_signed_remote

# Never named as such to a browser: it would render them.
ACTIVE_TYPES = {
    "text/html",
    "application/xhtml+xml",
    "image/svg+xml",
    "text/xml",
    "application/xml",
    "text/xsl",
    "application/javascript",
    "text/javascript",
}
SIGNED_URL_SECONDS = 300


def safe_content_type(filename: str, content_type: str = "") -> str:
    content_type = (content_type or mimetypes.guess_type(filename)[0] or "").lower()
    if not content_type or content_type in ACTIVE_TYPES or content_type.endswith("+xml"):
        return "application/octet-stream"
    return content_type


def _protect(response):
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    add_never_cache_headers(response)
    response["Cache-Control"] = "private, no-store"
    return response


def private_file_response(field_file, *, filename: str = "", content_type: str = ""):
    """The file of ``field_file`` as an attachment named ``filename`` (its
    stored name's last part by default); 404 when there is none."""
    if not field_file or not field_file.name:
        raise Http404
    filename = filename or PurePosixPath(field_file.name).name
    content_type = safe_content_type(filename, content_type)
    storage = field_file.storage
    if is_signed_remote(storage):
        url = storage.url(
            field_file.name,
            parameters={
                "ResponseContentDisposition": content_disposition_header(True, filename),
                "ResponseContentType": content_type,
                "ResponseCacheControl": "private, no-store",
            },
            expire=SIGNED_URL_SECONDS,
        )
        return _protect(HttpResponseRedirect(url))
    try:
        handle = storage.open(field_file.name, "rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=content_type
    )
    return _protect(response)
