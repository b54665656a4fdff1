"""REST API of data values and imports."""
