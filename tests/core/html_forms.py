"""Read a rendered form the way a browser submits it: the controls' names, values and kinds."""

from dataclasses import dataclass
from html.parser import HTMLParser


@dataclass
class Control:
    name: str
    value: str
    kind: str  # "text" (text-like inputs), "textarea", "select", "checkbox", "radio", "hidden", …
    options: tuple = ()  # a select's option values


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form = None
        self._select = None
        self._option = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = {"attrs": a, "controls": []}
            self.forms.append(self._form)
            return
        if self._form is None or "disabled" in a:
            return
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            name = a.get("name")
            if not name or kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            default = "on" if kind in ("checkbox", "radio") else ""
            kind = "text" if kind in ("text", "search", "number", "email", "url", "tel", "date") else kind
            self._form["controls"].append(Control(name, a.get("value") or default, kind))
        elif tag == "select":
            self._select = {"name": a.get("name"), "multiple": "multiple" in a, "options": []}
        elif tag == "option" and self._select is not None:
            self._option = {"value": a.get("value"), "selected": "selected" in a, "text": ""}
            self._select["options"].append(self._option)
        elif tag == "textarea":
            self._textarea = {"name": a.get("name"), "text": ""}

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea["text"] += data
        elif self._option is not None:
            self._option["text"] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "option":
            self._option = None
        elif tag == "select" and self._select is not None:
            sel, options = self._select, self._select["options"]
            values = tuple(o["value"] if o["value"] is not None else o["text"].strip() for o in options)
            chosen = [v for o, v in zip(options, values, strict=True) if o["selected"]]
            if not chosen and not sel["multiple"] and values:
                chosen = [values[0]]  # what a browser sends for a select with nothing selected
            if sel["name"]:
                for value in chosen:
                    self._form["controls"].append(Control(sel["name"], value, "select", values))
                if not chosen and sel["multiple"]:
                    pass  # an empty multiple select sends nothing
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            text = self._textarea["text"]
            if text.startswith("\r\n"):
                text = text[2:]
            elif text.startswith("\n"):
                text = text[1:]  # browsers drop the newline that follows <textarea>
            if self._textarea["name"]:
                self._form["controls"].append(Control(self._textarea["name"], text, "textarea"))
            self._textarea = None


def form_controls(html: str, css_class: str = "edit-form") -> list[Control]:
    """The controls of the first form whose class includes ``css_class``."""
    parser = _FormParser()
    parser.feed(html)
    for form in parser.forms:
        if css_class in (form["attrs"].get("class") or "").split():
            return form["controls"]
    raise AssertionError(f"no form with class {css_class!r} on the page")


def post_data(controls: list[Control]) -> dict[str, list[str]]:
    data: dict[str, list[str]] = {}
    for c in controls:
        data.setdefault(c.name, []).append(c.value)
    return data
