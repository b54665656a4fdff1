"""REST API of the public-investment register."""
