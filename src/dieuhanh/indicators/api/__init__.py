"""REST API of the catalogue: sectors, indicators, targets. Anonymous users see public indicators only."""
