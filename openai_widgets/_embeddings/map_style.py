"""What both drawings of the embedding map share: the colours, and how many points get a label."""

from __future__ import annotations

__all__ = ["MAX_LABELS", "OTHER", "PALETTE"]

# Colour-blind friendly categorical colours (Okabe & Ito), then grey for "other".
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
OTHER = "#9E9E9E"
MAX_LABELS = 40  # text labels beyond this many points would hide the points
