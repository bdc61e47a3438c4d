"""Figures of the statistics layer, drawn headless (Agg) and returned as matplotlib Figures."""
