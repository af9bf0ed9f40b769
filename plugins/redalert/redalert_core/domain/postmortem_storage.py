"""The post-mortem draft (postmortem.py's Markdown) in Confluence's storage format: well-formed XHTML.

Only the Markdown that postmortem.render writes is understood: headings, bullet lists, task items, bold labels and
the italic "to be filled in" marks. Everything else is escaped text, so user input never becomes markup.
"""

from __future__ import annotations

import re
from xml.sax.saxutils import escape

_BOLD = re.compile(r"\*\*(.+?)\*\*")
_ITALIC = re.compile(r"(?<![\w*])_(.+?)_(?![\w*])")
_HTML_ENTITY = re.compile(r"&(lt|gt|amp);")


def _inline(text: str) -> str:
    # postmortem.render writes < and > as entities; undo that before escaping once for XML.
    text = _HTML_ENTITY.sub(lambda m: {"lt": "<", "gt": ">", "amp": "&"}[m.group(1)], text)
    text = escape(text)
    text = _BOLD.sub(r"<strong>\1</strong>", text)
    return _ITALIC.sub(r"<em>\1</em>", text)


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
