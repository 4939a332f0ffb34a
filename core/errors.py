"""The domain's one error: a change that cannot be made now.

Every service raises :class:`TransitionError` (or a subclass) with a
sentence a person can act on; views show it as a message, never a 500."""

from django.utils.html import format_html


class TransitionError(Exception):
    """A move or change that cannot be made now; the message says why.
    ``fix_url`` (optional) is the page where the cause is fixed."""

    def __init__(self, *args, fix_url: str = "", fix_label: str = ""):
        super().__init__(*args)
        self.fix_url = fix_url
        self.fix_label = fix_label


def error_message(exc: Exception):
    """A refusal as a page message: its sentence, and a link to the fix when
    it names one (escaped: the sentence may quote user text)."""
    url = getattr(exc, "fix_url", "")
    if url:
        return format_html('{} <a href="{}">{}</a>', str(exc), url, exc.fix_label or url)
    return str(exc)
