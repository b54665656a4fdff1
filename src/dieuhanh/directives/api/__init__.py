"""REST API of directives: the register, progress, review, sources, extraction and scorecards."""
