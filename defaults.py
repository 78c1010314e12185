"""``[tool.netreel]`` in ./pyproject.toml: defaults for the commands' options, checked before anything runs.

A key is an option's long name (``quality``, ``data-dir`` or ``data_dir``) and sets it on every
command that has that option. A file that is not TOML, a key no command has (the closest known
one is named) or a value of the wrong type stops the command with one line naming pyproject.toml
and the key.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import click

from netreel.suggest import closest

FILE = "pyproject.toml"
TABLE = f"{FILE}: [tool.netreel]"

# The TOML types an option's value may have, by the option's click type (first match); else a string.
KINDS = [
    (click.types.BoolParamType, (bool,), "true or false"),
    (click.types.IntParamType, (int,), "an integer"),
    (click.types.FloatParamType, (int, float), "a number"),
]


class ConfigError(Exception):
    """A ``[tool.netreel]`` table that cannot be used as it is; the message names the file and the key."""


def read(folder: Path) -> dict:
    """The ``[tool.netreel]`` table of ``folder``'s pyproject.toml; empty when there is none."""
    path = folder / FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"{FILE}: cannot be read: {getattr(err, 'strerror', None) or err}") from None
    try:
        table = tomllib.loads(text).get("tool", {}).get("netreel", {})
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{FILE}: not valid TOML: {err}") from None
    if not isinstance(table, dict):
        raise ConfigError(f"{FILE}: tool.netreel must be a table, [tool.netreel]")
    return table


def default_maps(group: click.Group, ctx: click.Context, table: dict) -> dict[str, dict]:
    """Each command's ``default_map``: the table's values, checked, under the names of the options they set."""
    known: dict[str, list[tuple[click.Context, click.Option]]] = {}
    for name, command in group.commands.items():
        context = click.Context(command, info_name=name, parent=ctx)
        for param in command.params:
            if isinstance(param, click.Option):
                for opt in param.opts:
                    if opt.startswith("--"):
                        known.setdefault(opt[2:], []).append((context, param))
    maps: dict[str, dict] = {name: {} for name in group.commands}
    for key, value in table.items():
        options = known.get(key.replace("_", "-"))
        if not options:
            raise ConfigError(f"{TABLE} has no key {key!r}{closest(key.replace('_', '-'), sorted(known), n=1)}")
        for context, param in options:
            maps[context.info_name][param.name] = checked(key, value, param, context)
    return maps


def checked(key: str, value, param: click.Option, ctx: click.Context):
    """``value`` as the option takes it (a list for an option given several times), or a ConfigError."""
    if param.multiple and not isinstance(value, list):
        value = [value]
    kinds, what = next(((kinds, what) for kind, kinds, what in KINDS if isinstance(param.type, kind)), ((str,), "a string"))
    for item in value if param.multiple else [value]:
        if not isinstance(item, kinds) or (isinstance(item, bool) and bool not in kinds):
            raise ConfigError(f"{TABLE} {key} must be {what}{' or a list of them' if param.multiple else ''}, not {item!r}")
    try:
        param.process_value(ctx, value)
    except click.BadParameter as err:
        raise ConfigError(f"{TABLE} {key}: {err.message}") from None
    return value

