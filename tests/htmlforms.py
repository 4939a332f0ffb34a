"""Fill in and submit an HTML form the way a browser does, over plain HTTP.

For the tests that talk to a real server (``tests/production``): parse the
page's forms, start from what the browser would send (hidden fields, ticked
boxes, selected options, textarea contents, the CSRF token), change what a
person would change, and post it to the form's action.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin


@dataclass
class Form:
    action: str
    method: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    buttons: list[tuple[str, str, str]] = field(default_factory=list)  # name, value, text
    text: str = ""

    def data(self, overrides: dict | None = None, button: str | None = None) -> dict:
        """The fields as a dict of lists; ``overrides`` replace (None removes)."""
        result: dict[str, list[str]] = {}
        for name, value in self.fields:
            result.setdefault(name, []).append(value)
        for name, value in (overrides or {}).items():
            if value is None:
                result.pop(name, None)
            else:
                result[name] = value if isinstance(value, list) else [str(value)]
        if button is not None:
            for name, value, _text in self.buttons:
                if name == button:
                    result[name] = [value]
        return result


class _Parser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: tuple[str, list[tuple[str, bool]]] | None = None
        self._option: list | None = None
        self._textarea: list | None = None
        self._button: list | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self._form = Form(action=a.get("action", ""), method=a.get("method", "get").lower())
            self.forms.append(self._form)
            return
        form = self._form
        if form is None:
            return
        if tag == "input":
            kind = a.get("type", "text").lower()
            name = a.get("name")
            if not name or "disabled" in a:
                return
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    form.fields.append((name, a.get("value", "on")))
            elif kind == "submit":
                form.buttons.append((name, a.get("value", ""), a.get("value", "")))
            elif kind not in ("button", "image", "reset", "file"):
                form.fields.append((name, a.get("value", "")))
        elif tag == "select" and a.get("name"):
            self._select = (a["name"], [])
        elif tag == "option" and self._select is not None:
            self._option = [a.get("value"), "selected" in a, ""]
        elif tag == "textarea" and a.get("name"):
            self._textarea = [a["name"], ""]
        elif tag == "button":
            self._button = [a.get("name", ""), a.get("value", ""), ""]

    def handle_data(self, data):
        if self._form is not None:
            self._form.text += data
        if self._option is not None:
            self._option[2] += data
        if self._textarea is not None:
            self._textarea[1] += data
        if self._button is not None:
            self._button[2] += data

    def handle_endtag(self, tag):
        if tag == "option" and self._option is not None and self._select is not None:
            value, selected, text = self._option
            self._select[1].append((value if value is not None else text.strip(), selected))
            self._option = None
        elif tag == "select" and self._select is not None and self._form is not None:
            name, options = self._select
            chosen = [v for v, s in options if s] or [v for v, _s in options[:1]]
            for value in chosen:
                self._form.fields.append((name, value))
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            name, value = self._textarea
            self._form.fields.append((name, value.removeprefix("\n")))
            self._textarea = None
        elif tag == "button" and self._button is not None and self._form is not None:
            name, value, text = self._button
            if name:
                self._form.buttons.append((name, value, text.strip()))
            self._button = None
        elif tag == "form":
            self._form = None


def forms(html: str) -> list[Form]:
    parser = _Parser()
    parser.feed(html)
    return parser.forms


def find_form(html: str, *, action: str | None = None, containing: str | None = None) -> Form:
    """The first form whose action contains ``action`` and whose text (or a
    field name) contains ``containing``."""
    for form in forms(html):
        if action is not None and action not in form.action:
            continue
        if containing is not None and not (
            containing in form.text
            or any(containing == name for name, _v in form.fields)
            or any(containing in (name, value, text) for name, value, text in form.buttons)
        ):
            continue
        return form
    raise AssertionError(f"no form with action~{action!r} containing {containing!r}")


def submit(
    client, page_url: str, html: str, *, action=None, containing=None, data=None, button=None
):
    """Post the matching form of ``html`` (the page at ``page_url``) with
    ``data`` changed, as the browser would; returns the response."""
    form = find_form(html, action=action, containing=containing)
    target = urljoin(page_url, form.action or page_url)
    payload = form.data(data, button=button)
    if form.method == "get":
        return client.get(target, params=payload)
    return client.post(target, data=payload, headers={"Referer": page_url})
