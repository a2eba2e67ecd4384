"""Embedding vectors: the float32 column, the cache, token counts, similarity, the projection plot."""
