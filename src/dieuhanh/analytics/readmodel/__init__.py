"""The read model every surface shares (pages, wall, report, exports, API).

One figure, one meaning: a surface asks this package which period a figure stands for
(``periods``), reads the figures from one analytics engine (``book``), lists them the same way
(``lists``: plan indicators, scorecards, what is off track), and writes them with the same
rules (``writing``: rounding, the dash, signs, trend, change in points for rates, status names
and colours). Surfaces hold no rules of their own about a figure.
"""
