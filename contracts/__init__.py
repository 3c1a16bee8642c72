"""keiyaku: drafts Japanese data-sharing contracts; the core library."""

__version__ = "0.1.0"
