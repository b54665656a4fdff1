"""dieuhanh: an Intelligent Operations Center for Vietnamese provincial governments."""

__version__ = "0.1.0"
