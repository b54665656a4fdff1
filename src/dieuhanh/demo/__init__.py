"""The Bình Dương demo: real units, a real catalogue and targets, synthetic monthly figures."""
