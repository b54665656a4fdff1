"""The reporting calendar's API: data sets (/api/v1/data-sets/) and obligations (/api/v1/reporting/obligations/)."""
