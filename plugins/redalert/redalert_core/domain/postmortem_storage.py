"""The post-mortem draft (postmortem.py's Markdown) in Confluence's storage format: well-formed XHTML, any text.

Only the Markdown that postmortem.render writes is understood: headings, bullet lists, task items, bold labels and
the italic "to be filled in" marks. Inline marks are parsed into a tree, not substituted: a bold span is found first
and italics only inside one piece of text, so `**` and `_` typed by people can never open a tag that closes in the
wrong place; an unmatched marker stays literal text. Characters XML cannot carry are dropped, so Confluence never
refuses a page for its text.
"""

from __future__ import annotations

import re
from xml.sax.saxutils import escape

_BOLD = re.compile(r"\*\*(.+?)\*\*")
_ITALIC = re.compile(r"(?<![\w*])_(.+?)_(?![\w*])")
_HTML_ENTITY = re.compile(r"&(lt|gt|amp);")
# XML 1.0's Char production: tab, newline, carriage return, and the rest of Unicode minus surrogates and U+FFFE/F.
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _text(text: str) -> str:
    return escape(_NOT_XML.sub("", text))


def _italics(text: str) -> str:
    """Plain text (no tags yet) with its _italic_ spans: each span's content is escaped on its own."""
    out: list[str] = []
    last = 0
    for match in _ITALIC.finditer(text):
        out += [_text(text[last : match.start()]), f"<em>{_text(match.group(1))}</em>"]
        last = match.end()
    out.append(_text(text[last:]))
    return "".join(out)


def _inline(text: str) -> str:
    # postmortem.render writes < > & as entities; undo that before escaping once for XML.
    text = _HTML_ENTITY.sub(lambda m: {"lt": "<", "gt": ">", "amp": "&"}[m.group(1)], text)
    out: list[str] = []
    last = 0
    for match in _BOLD.finditer(text):
        out += [_italics(text[last : match.start()]), f"<strong>{_italics(match.group(1))}</strong>"]
        last = match.end()
    out.append(_italics(text[last:]))
    return "".join(out)


def from_markdown(markdown: str) -> str:
    out: list[str] = []
    in_list = False
    tasks: list[str] = []

    def close_list() -> None:
        nonlocal in_list
        if in_list:
            out.append("</ul>")
            in_list = False
        if tasks:
            items = "".join(
                f"<ac:task><ac:task-status>incomplete</ac:task-status><ac:task-body>{t}</ac:task-body></ac:task>"
                for t in tasks
            )
            out.append(f"<ac:task-list>{items}</ac:task-list>")
            tasks.clear()

    for line in markdown.splitlines():
        stripped = line.strip()
        heading = re.match(r"^(#{1,6}) (.*)$", stripped)
        if stripped.startswith("- [ ] "):
            if in_list:
                out.append("</ul>")
                in_list = False
            tasks.append(_inline(stripped[6:]))
        elif stripped.startswith("- "):
            if tasks:
                close_list()
            if not in_list:
                out.append("<ul>")
                in_list = True
            out.append(f"<li>{_inline(stripped[2:])}</li>")
        else:
            close_list()
            if heading:
                level = len(heading.group(1))
                out.append(f"<h{level}>{_inline(heading.group(2))}</h{level}>")
            elif stripped:
                out.append(f"<p>{_inline(stripped)}</p>")
    close_list()
    return "".join(out)
