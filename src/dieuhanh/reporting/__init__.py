"""The reporting calendar: data sets, every unit's reporting obligations, reminders, and completeness
and timeliness as indicators."""
