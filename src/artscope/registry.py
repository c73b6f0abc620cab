"""One registry class, an instance per kind of pluggable thing (embedders, sources, heads, ...).

Backends register by decorator in their own module; the registry knows each name's module so
that an optional extra is imported only when that name is used. Third parties register through
the entry-point group ``artscope.<kind>``.
"""

from __future__ import annotations

import difflib
import importlib
from collections.abc import Callable
from importlib.metadata import entry_points
from typing import Generic, TypeVar

from artscope.errors import UnknownNameError

T = TypeVar("T")


class Registry(Generic[T]):
    """Maps names to factories, importing their modules lazily."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._factories: dict[str, T] = {}
        self._lazy: dict[str, str] = {}
        self._entry_points_loaded = False

    def register(self, name: str) -> Callable[[T], T]:
        """Decorator: ``@embedders.register("builtin")``."""

        def decorate(factory: T) -> T:
            self._factories[name] = factory
            return factory

        return decorate

    def register_lazy(self, name: str, module: str) -> None:
        """Declare that importing ``module`` registers ``name``."""
        self._lazy[name] = module

    def names(self) -> list[str]:
        self._load_entry_points()
        return sorted(set(self._factories) | set(self._lazy))

    def get(self, name: str) -> T:
        if name not in self._factories and name in self._lazy:
            module = self._lazy[name]
            try:
                importlib.import_module(module)
            except ImportError as exc:
                raise UnknownNameError(
                    f"The {self.kind} {name!r} needs a package that is not installed ({exc.name or exc}). "
                    f"Install the extra that provides it, e.g. pip install 'artscope[{name}]'."
                ) from exc
            if name not in self._factories:
                raise UnknownNameError(f"Module {module} did not register the {self.kind} {name!r}.")
        if name not in self._factories:
            self._load_entry_points()
        if name not in self._factories:
            close = difflib.get_close_matches(name, self.names(), n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise UnknownNameError(
                f"Unknown {self.kind} {name!r}.{hint} Known: {', '.join(self.names()) or 'none'}."
            )
        return self._factories[name]

    def _load_entry_points(self) -> None:
        if self._entry_points_loaded:
            return
        self._entry_points_loaded = True
        for ep in entry_points(group=f"artscope.{self.kind}"):
            if ep.name not in self._factories:
                self._factories[ep.name] = ep.load()
