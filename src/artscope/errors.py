"""Error types. Every message says what went wrong and what to do about it."""

from __future__ import annotations


class ArtscopeError(Exception):
    """Base class of every error artscope raises on purpose."""


class CollectionError(ArtscopeError):
    """A collection directory is missing, malformed, or of a newer schema."""


class EmbedderMismatchError(ArtscopeError):
    """A collection, head or query was built with another embedder than the one in use."""


class CollectionLockedError(ArtscopeError):
    """Another process (usually `artscope serve`) owns the collection's index."""


class ModelNotFoundError(ArtscopeError):
    """A model spec names weights that are not on disk and cannot be downloaded."""


class UnknownNameError(ArtscopeError):
    """A registry lookup by a name that is not registered."""


class InvalidInputError(ArtscopeError, ValueError):
    """User input (a query, a file, a filter, a parameter) that cannot be used."""


class ImageLoadError(InvalidInputError):
    """An image that cannot be read safely (corrupt, not an image, too large)."""


class SourceFormatError(InvalidInputError):
    """A source file whose layout does not match its published format."""


class NotFoundError(ArtscopeError, LookupError):
    """An artwork, passage, job, session or head that does not exist."""


class HeadNotTrainedError(ArtscopeError):
    """A task needs a trained head that the collection does not have yet."""


class DependencyMissingError(ArtscopeError):
    """An optional package or program a feature needs is not installed (the message says how to add it)."""


class UntrustedCodeError(ArtscopeError):
    """A model folder ships Python code of its own, and running it was not allowed by the settings."""
