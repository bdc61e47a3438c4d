"""Synthetic cohorts in the input contract's format: the calibrated demo and a scalable generator."""
