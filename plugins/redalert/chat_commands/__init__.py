"""The RedAlert plugin's chat commands, one mixin per area (workflow, problems, …), and the helper that lists them.

Errbot files each command under the class whose own namespace defines it, and shows docstrings exactly as written.
`listed_under_plugin` (a class decorator on the plugin) therefore copies every mixin's commands into the plugin
class and dedents all command docstrings, so `!help` shows them under "RedAlert", readable.
"""

from __future__ import annotations

import inspect


def listed_under_plugin(plugin_class: type) -> type:
    """Make the mixins' @botcmd methods the plugin's own (for Errbot's help) and dedent every command's help."""
    for base in plugin_class.__mro__[1:]:
        if base.__module__.startswith("errbot"):
            continue
        for name, member in vars(base).items():
            if getattr(member, "_err_command", False) and name not in vars(plugin_class):
                setattr(plugin_class, name, member)
    for member in vars(plugin_class).values():
        if getattr(member, "_err_command", False) and member.__doc__:
            member.__doc__ = inspect.cleandoc(member.__doc__)
    return plugin_class
