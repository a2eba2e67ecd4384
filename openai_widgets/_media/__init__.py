"""Images and audio: per-model rules, inputs read and checked, outputs decoded, results shown inline."""
