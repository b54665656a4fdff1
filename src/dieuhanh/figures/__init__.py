"""The figures at the centre: every data value, its history, the batch that wrote it, and the one
service through which figures are written (``services``). Collectors (file imports, the demo,
directive scorecards) write through it; analytics reads the table and hears of every write."""
