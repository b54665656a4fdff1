"""REST API of analytics: GET /api/v1/analytics (the eight measures) and /api/v1/analytics/ranking."""
