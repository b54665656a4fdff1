"""Reading orders (directives) out of a Vietnamese text; rules of our own, underthesea for sentences.

Public surface: ``extract_directives``, ``ProposedDirective``, ``AgencyCatalogue`` and
``AgencyRecord``, ``timing_of``, and the group codes.
"""

from dieuhanh.directives.choices import GROUP_AGENCIES, GROUP_COMMUNES, GROUP_DISTRICTS
from dieuhanh.directives.extraction.agencies import GROUP_NAMES, AgencyCatalogue, AgencyRecord, catalogue_from
from dieuhanh.directives.extraction.deadlines import CONTINUOUS, MONTHLY, QUARTERLY, Timing, timing_of
from dieuhanh.directives.extraction.extractor import ProposedDirective, extract_directives

__all__ = [
    "CONTINUOUS",
    "GROUP_AGENCIES",
    "GROUP_COMMUNES",
    "GROUP_DISTRICTS",
    "GROUP_NAMES",
    "MONTHLY",
    "QUARTERLY",
    "AgencyCatalogue",
    "AgencyRecord",
    "ProposedDirective",
    "Timing",
    "catalogue_from",
    "extract_directives",
    "timing_of",
]
