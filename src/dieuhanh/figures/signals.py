"""What the figures app tells the layers above it.

``figures_written`` is sent once per write, inside the write's transaction, by
``services.figures_changed`` — never by single saves. Analytics listens to it to bring its
rollups (and with them the answer cache's stamp) up to date before the transaction commits,
so that no reader sees the figures without them. Arguments:

- ``count``: how many figures were created, changed or deleted;
- ``keys``: a callable returning the set of (indicator id, unit id, start of the period) touched
  — computed only if a listener asks, since after a national load it would be millions of keys;
- ``complete``: the writer asks that everything derived from the figures be made complete and
  current now, even where it was out of date before this write (the demo, the catalogue).
"""

from __future__ import annotations

from django.dispatch import Signal

figures_written = Signal()
