"""HTML → PDF with WeasyPrint, offline.

Documents may only load files we serve ourselves (static files and media);
anything else (a remote image pasted into a story) is refused, so a render
never waits on the network and never leaks a request to a third party.
"""

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlparse

from django.conf import settings
from django.contrib.staticfiles import finders


class BlockedFetch(ValueError):
    pass


def _local_path(url: str) -> Path | None:
    """The file behind one of our static or media URLs, or None."""
    path = unquote(urlparse(url).path)
    if path.startswith(settings.STATIC_URL):
        name = path[len(settings.STATIC_URL) :]
        found = finders.find(name)
        if found:
            return Path(found)
        root = Path(settings.STATIC_ROOT)
    elif path.startswith(settings.MEDIA_URL):
        name = path[len(settings.MEDIA_URL) :]
        root = Path(settings.MEDIA_ROOT)
    else:
        return None
    resolved = (root / name).resolve()
    if not resolved.is_relative_to(root.resolve()) or not resolved.is_file():
        return None
    return resolved


def _fetcher():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class LocalOnlyFetcher(URLFetcher):
        """Serve ``data:`` URLs and our own static/media files; refuse the rest."""

        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            local = _local_path(url)
            if local is None:
                raise BlockedFetch(f"Blocked fetch of {url!r} while rendering a PDF.")
            content_type = mimetypes.guess_type(local.name)[0] or "application/octet-stream"
            return URLFetcherResponse(
                url, body=local.read_bytes(), headers={"Content-Type": content_type}
            )

    return LocalOnlyFetcher()


def render_document(html: str, *, base_url: str | None = None):
    """Lay ``html`` out as a WeasyPrint document (its ``pages`` can be counted
    before writing, as the one-page summary does). ``base_url`` resolves
    relative links (defaults to SITE_URL, so ``/static/…`` maps to our files)."""
    from weasyprint import HTML

    return HTML(
        string=html, base_url=base_url or settings.SITE_URL, url_fetcher=_fetcher()
    ).render()


def render_pdf(html: str, *, base_url: str | None = None) -> bytes:
    """Render ``html`` to PDF bytes."""
    return render_document(html, base_url=base_url).write_pdf()
