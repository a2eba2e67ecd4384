"""One module per API area; each defines a mixin of `Client` methods."""
