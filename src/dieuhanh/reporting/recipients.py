"""Who is told about a unit's reports: the one place that says it.

Today these are the unit's focal points of the directives register (``AgencyContact``: a user,
told in the app and by e-mail, or an e-mail address), the mechanism directive reminders use.
When users belong to units with roles, this function answers with the unit's reporters instead;
nothing else changes.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from dieuhanh.directives.models import AgencyContact
from dieuhanh.orgunits.models import OrgUnit


@dataclass
class Recipients:
    """E-mail addresses and users (in-app notifications) to tell about one unit's reports."""

    addresses: list[str] = field(default_factory=list)
    user_ids: list[int] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.addresses or self.user_ids)


def recipients_for(units: Collection[OrgUnit]) -> dict[int, Recipients]:
    """{unit id: who to tell} for each of ``units`` (empty Recipients for a unit with nobody); one query."""
    out = {unit.pk: Recipients() for unit in units}
    for contact in AgencyContact.objects.filter(org_unit_id__in=list(out)).select_related("user"):
        found = out[contact.org_unit_id]
        if contact.address and contact.address not in found.addresses:
            found.addresses.append(contact.address)
        if contact.user_id and contact.user_id not in found.user_ids:
            found.user_ids.append(contact.user_id)
    for found in out.values():
        found.addresses.sort()
        found.user_ids.sort()
    return out
