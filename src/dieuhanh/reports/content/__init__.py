"""What a report says: its sections built from the analytics, in the operator's wording."""

from dieuhanh.reports.content.builder import ReportBuilder, report_build

__all__ = ["ReportBuilder", "report_build"]
