"""warehouse-tui: a terminal warehouse console for marketplace sellers."""

__version__ = "0.1.0"
