"""The HTTP service and its web page: ``create_app(collection_path, config)`` (``artscope serve``)."""

from artscope.server.app import create_app
from artscope.server.config import ServerConfig

__all__ = ["ServerConfig", "create_app"]
