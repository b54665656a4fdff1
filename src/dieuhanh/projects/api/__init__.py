"""REST API of public investment: projects, capital plans and transfers, disbursement, site clearance, obstacles."""
