"""Records management: retention and the archive export (Archiefwet)."""
