"""Results a notebook reads: JSON -> DataFrames, records, JSON Lines, text inputs, display objects."""
